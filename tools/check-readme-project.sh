#!/usr/bin/env bash
# Checks that a separate Maven project which follows only the README compiles and runs the README's examples
# (issue 11, "Maven users"). Not run by CI: it needs `mvn install`, which it does into a private local repository
# so that ~/.m2 is never written.
#
#   tools/check-readme-project.sh [WORK_DIR]      (default /tmp/adam4j-user)
#
# Environment: ADAM4J_M2 the private local repository (default /tmp/adam4j-m2; seeded once from ~/.m2/repository
# without org/adam4j, to save downloads), JDK25 a JDK 25 home (default: JAVA_HOME if it is 25 or newer, else the
# first /usr/lib/jvm/*25* with javac).
#
# What it does:
#  1. installs this checkout (-DskipTests) into the private repository and checks that adam4j-reference and
#     adam4j-kernels have -sources.jar, -javadoc.jar and their Automatic-Module-Name;
#  2. copies the README's pom.xml and every Java example marked `<!-- readme-check: NAME -->` verbatim into WORK_DIR;
#  3. builds it with the README's own commands (Maven on JDK 25; javac gets no --add-modules) and runs every
#     example with `--add-modules jdk.incubator.vector`, then the kernel and optimizer examples again without it,
#     which must print the same numbers and log the scalar-fallback WARNING;
#  4. checks the README's statements about optional artifacts: without ejml-fdense the EJML loop does not compile
#     (`package org.ejml.dense.row does not exist`), without gson ReferenceCase.load fails with NoClassDefFoundError.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/adam4j-user}
M2=${ADAM4J_M2:-/tmp/adam4j-m2}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JDK=${JDK25:-}
if [[ -z $JDK && -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/javac && $(major "$JAVA_HOME") -ge 25 ]]; then JDK=$JAVA_HOME; fi
if [[ -z $JDK ]]; then
    for d in /usr/lib/jvm/*25*; do [[ -x $d/bin/javac ]] && { JDK=$d; break; }; done
fi
[[ -n $JDK && -x $JDK/bin/javac ]] || fail "no JDK 25 found: set JDK25"
[[ $(major "$JDK") -ge 25 ]] || fail "$JDK is not a JDK 25 or newer"
JAVA=$JDK/bin/java
echo "JDK: $JDK ($("$JAVA" -version 2>&1 | head -1))"
echo "private local repository: $M2"

if [[ ! -d $M2 && -d $HOME/.m2/repository ]]; then
    cp -r "$HOME/.m2/repository" "$M2"
    rm -rf "$M2/org/adam4j"
fi

# 1. install
mvn -B -ntp -q -f "$ROOT/pom.xml" -Dmaven.repo.local="$M2" -DskipTests install > "$M2.install.log" 2>&1 \
    || { tail -40 "$M2.install.log"; fail "mvn install (log: $M2.install.log)"; }
VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)
for a in reference kernels; do
    dir=$M2/org/adam4j/adam4j-$a/$VERSION
    for c in "" -sources -javadoc; do
        [[ -s $dir/adam4j-$a-$VERSION$c.jar ]] || fail "adam4j-$a-$VERSION$c.jar was not installed"
    done
    name=$("$JDK/bin/jar" --describe-module --file "$dir/adam4j-$a-$VERSION.jar" | sed -n 's/^\([a-z0-9.]*\)@.* automatic$/\1/p')
    [[ $name == "org.adam4j.$a" ]] || fail "adam4j-$a's jar is not the automatic module org.adam4j.$a ($name)"
    ok "installed adam4j-$a-$VERSION.jar, -sources.jar, -javadoc.jar; automatic module $name"
done

# 2. the README's project, verbatim
rm -rf "$WORK"
mkdir -p "$WORK/src/main/java"
awk -v work="$WORK" '
    match($0, /<!-- readme-check: [^ ]+ -->/) { name = substr($0, RSTART + 19, RLENGTH - 23); want = 1; next }
    want && /^```/ { if (out == "") { out = (name == "pom.xml" ? work "/pom.xml" : work "/src/main/java/" name); next }
                     close(out); out = ""; want = 0; next }
    out != "" { print > out }
' "$ROOT/README.md"
examples=$(cd "$WORK/src/main/java" && ls *.java | sed 's/\.java$//')
[[ -s $WORK/pom.xml && -n $examples ]] || fail "no pom.xml or no example found in the README"
ok "copied from the README: pom.xml, $(echo $examples | sed 's/ /.java, /g').java"

# 3. build as the README says, and run
cd "$WORK"
export JAVA_HOME=$JDK
mvn -B -ntp -q -Dmaven.repo.local="$M2" package dependency:build-classpath -Dmdep.outputFile=cp.txt > build.log 2>&1 \
    || { cat build.log; fail "the README's project does not build"; }
grep -q '<compilerArgs>' pom.xml && fail "the README's pom passes arguments to javac"
ok "built with JDK $(major "$JDK") (javac without --add-modules)"
CP="target/classes:$(cat cp.txt)"
CASE=$ROOT/../shared/reference-cases/adam-default

run() {  # run NAME [ARGS...] with the vector module; stdout to NAME.out, stderr to NAME.err
    local name=$1; shift
    "$JAVA" --add-modules jdk.incubator.vector -cp "$CP" "$name" "$@" > "$name.out" 2> "$name.err" \
        || { cat "$name.err"; fail "$name exited with status $?"; }
    echo "     $ java --add-modules jdk.incubator.vector -cp ... $name $*"
    sed 's/^/     | /' "$name.out"
}
for e in $examples; do
    if [[ $e == ReadCase ]]; then
        if [[ -d $CASE ]]; then run ReadCase "$CASE"; else echo "skip ReadCase: no $CASE"; continue; fi
    else
        run "$e"
    fi
    grep -q 'org.adam4j.kernels.AdamKernels' "$e.err" && fail "$e logged the scalar fallback with the vector module"
    ok "$e ran"
done
grep -q '^vector-' UseKernel.out || fail "UseKernel did not get a vector kernel: $(cat UseKernel.out)"
grep -Eq '^y = 2\.0000 x -1\.0000$' UseOptimizer.out || fail "UseOptimizer did not fit y = 2x - 1: $(cat UseOptimizer.out)"
grep -Eq '^step 500: loss [0-9.]+e-0[5-9]' LinearRegression.out \
    || fail "LinearRegression's loss did not fall below 1e-4: $(tail -1 LinearRegression.out)"
[[ -s optimizer.state ]] || fail "LinearRegression saved no checkpoint"

for e in UseKernel UseOptimizer; do
    "$JAVA" -cp "$CP" "$e" > "$e.scalar.out" 2> "$e.scalar.err" || { cat "$e.scalar.err"; fail "$e without the module"; }
    grep -q "WARNING: The jdk.incubator.vector module is not readable, so adam4j uses its scalar kernels" \
        "$e.scalar.err" || { cat "$e.scalar.err"; fail "$e without the module logged no warning"; }
    [[ $(grep -c 'not readable' "$e.scalar.err") == 1 ]] || fail "$e logged the warning more than once"
    [[ "$(sed "s/^[a-z0-9-]*: //" "$e.out")" == "$(sed "s/^[a-z0-9-]*: //" "$e.scalar.out")" ]] \
        || fail "$e printed other numbers without the module: $(cat "$e.scalar.out")"
done
echo "     $ java -cp ... UseKernel      (no --add-modules)"
sed 's/^/     | /' UseKernel.scalar.out UseKernel.scalar.err
ok "without --add-modules: the scalar kernels, the same numbers, one WARNING"

# 4. the optional artifacts
mkdir -p "$WORK/no-fdense"
cp -r pom.xml src "$WORK/no-fdense/"
awk '/<dependency>/{buf=$0; keep=1; next} keep{buf=buf "\n" $0; if (/<\/dependency>/) {keep=0; if (buf !~ /ejml/) print buf}; next} {print}' \
    pom.xml > "$WORK/no-fdense/pom.xml"
grep -q ejml "$WORK/no-fdense/pom.xml" && fail "could not remove ejml-fdense from the copy"
if (cd "$WORK/no-fdense" && mvn -B -ntp -q -Dmaven.repo.local="$M2" compile > build.log 2>&1); then
    fail "the EJML loop compiled without ejml-fdense"
fi
grep -q 'package org.ejml.dense.row does not exist' "$WORK/no-fdense/build.log" \
    || { cat "$WORK/no-fdense/build.log"; fail "without ejml-fdense, not the README's error"; }
ok "without ejml-fdense: $(grep -m1 -o 'LinearRegression.java.*package org.ejml.dense.row does not exist' "$WORK/no-fdense/build.log")"

if [[ -d $CASE ]]; then
    NOGSON=$(tr ':' '\n' <<< "$CP" | grep -v '/gson-' | paste -sd:)
    if "$JAVA" --add-modules jdk.incubator.vector -cp "$NOGSON" ReadCase "$CASE" > ReadCase.nogson.out 2>&1; then
        fail "ReadCase ran without gson"
    fi
    grep -q 'NoClassDefFoundError: com/google/gson/' ReadCase.nogson.out || { cat ReadCase.nogson.out; fail "no NoClassDefFoundError"; }
    ok "without gson: $(grep -m1 -o 'java.lang.NoClassDefFoundError: [^ ]*' ReadCase.nogson.out)"
fi
echo "the README's project works as written ($WORK)"
