#!/usr/bin/env bash
# Results do not depend on the target_clones variant that runs (src/simd.h, src/vmath.h):
# three bundled scenarios of different models (GBM, Heston, regime-switching jumps) at
# 400 paths give byte-identical JSON (timing fields aside) natively and under qemu-user
# emulating a Haswell (AVX2 and FMA, no AVX-512: the x86-64-v3 clone) and a plain qemu64
# (SSE2: the baseline clone).  On a CPU with AVX-512 the native run takes the x86-64-v4
# clone, so all three are compared.  First checks that each emulated CPU reports the
# features that select the intended clone.
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
    "$@" "$bin" run "$scenario" --json --quiet --paths 400 --seed 11 --threads 2 2>/dev/null |
        grep -v '"seconds"\|"ns_per_path_step"' >"$tmp/$name"
}

for s in derman_kamal heston_stress regime_switch; do
    run "$s.native" "scenarios/$s.ini"
    [ -s "$tmp/$s.native" ] || {
        bad "$s: native run gave no output"
        continue
    }
    for cpu in Haswell qemu64; do
        run "$s.$cpu" "scenarios/$s.ini" timeout 240 qemu-x86_64 -cpu "$cpu"
        if cmp -s "$tmp/$s.native" "$tmp/$s.$cpu"; then ok; else
            bad "$s: -cpu $cpu differs from native"
            diff "$tmp/$s.native" "$tmp/$s.$cpu" | head -6
        fi
    done
done

done_tests clones
