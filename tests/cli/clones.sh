#!/usr/bin/env bash
# Results do not depend on the target_clones variant that runs (src/simd.h, src/vmath.h):
# bundled scenarios of every kind of kernel at 400 paths give byte-identical JSON (timing
# fields aside) natively and under qemu-user emulating a Haswell (AVX2 and FMA, no
# AVX-512: the x86-64-v3 clone) and a plain qemu64 (SSE2: the baseline clone).  On a CPU
# with AVX-512 the native run takes the x86-64-v4 clone, so all three are compared; the
# cases that go through glibc's libm per run or per lane are compared on Haswell only
# (see the case list).  First checks that each emulated CPU reports the features that
# select the intended clone.
# Skipped (SKIP, nothing counted) when qemu-x86_64 is missing (Debian: qemu-user) or cannot
# run the binary, and for the AddressSanitizer build.
# Usage: tests/cli/clones.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"

if ! command -v qemu-x86_64 >/dev/null; then
    echo "SKIP: qemu-x86_64 not installed (Debian: qemu-user)"
    done_tests clones
fi
# AddressSanitizer's shadow memory does not work under qemu-user (it maps terabytes).
if grep -q __asan_init "$bin"; then
    echo "SKIP: $bin is built with AddressSanitizer, which qemu-user cannot run"
    done_tests clones
fi
if ! timeout 60 qemu-x86_64 -cpu qemu64 "$bin" list >/dev/null 2>&1; then
    echo "SKIP: qemu-x86_64 cannot run $bin here"
    done_tests clones
fi

# The CPU probe: what __builtin_cpu_supports (which the clone resolvers use) sees.
cat >"$tmp/cpu.c" <<'C'
#include <stdio.h>
int main(void)
{
    __builtin_cpu_init();
    printf("%d %d\n", !!__builtin_cpu_supports("avx512f"), !!__builtin_cpu_supports("avx2"));
    return 0;
}
C
if cc -o "$tmp/cpu" "$tmp/cpu.c" 2>/dev/null; then
    [ "$(qemu-x86_64 -cpu Haswell "$tmp/cpu" 2>/dev/null)" = "0 1" ] && ok ||
        bad "qemu -cpu Haswell should have AVX2 and no AVX-512"
    [ "$(qemu-x86_64 -cpu qemu64 "$tmp/cpu" 2>/dev/null)" = "0 0" ] && ok ||
        bad "qemu -cpu qemu64 should have neither AVX2 nor AVX-512"
    echo "native CPU (avx512f avx2): $("$tmp/cpu")"
fi

run() { # run NAME SCENARIO [PREFIX...]: the JSON without its timing fields into $tmp/NAME
    local name=$1 scenario=$2
    shift 2
    # shellcheck disable=SC2086 # $extra: the case's own options, split on purpose
    "$@" "$bin" run "$scenario" --json --quiet --paths 400 --seed 11 --threads 2 $extra \
        2>/dev/null | grep -v '"seconds"\|"ns_per_path_step"' >"$tmp/$name"
}

# Each case: a name, a bundled scenario, the emulated CPUs it is compared on, extra
# options.  GARCH's Student-t quantiles, the bootstrap's next returns and the Heston
# model-delta tables (their Fourier sums take fma(), a libm call in the baseline clone)
# each have vector kernels of their own.  The last three go through glibc's libm in
# per-run or per-lane numerics (the Heston and Merton model deltas, min_variance's fits):
# glibc picks FMA or SSE2 variants of exp, log, sin and cos by CPU, which differ in the
# last bit, so they are promised (README, Reproducibility) and compared only across CPUs
# with FMA: the AVX2 clone's against the native AVX-512 one.
cases="derman_kamal:derman_kamal:Haswell qemu64:
heston_stress:heston_stress:Haswell qemu64:
regime_switch:regime_switch:Haswell qemu64:
garch_dax:garch_dax:Haswell qemu64:
bootstrap_dax:bootstrap_dax:Haswell qemu64:
heston_model:heston_stress:Haswell:--set strategy.hedge.ratio=model --set strategy.hedge.hedges=4
jump_crash:jump_crash:Haswell:
min_variance:min_variance:Haswell:"
while IFS=: read -r s scen cpus extra; do
    run "$s.native" "scenarios/$scen.ini"
    [ -s "$tmp/$s.native" ] || {
        bad "$s: native run gave no output"
        continue
    }
    for cpu in $cpus; do
        run "$s.$cpu" "scenarios/$scen.ini" timeout 240 qemu-x86_64 -cpu "$cpu"
        if cmp -s "$tmp/$s.native" "$tmp/$s.$cpu"; then ok; else
            bad "$s: -cpu $cpu differs from native"
            diff "$tmp/$s.native" "$tmp/$s.$cpu" | head -6
        fi
    done
done <<<"$cases"

done_tests clones
