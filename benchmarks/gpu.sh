#!/usr/bin/env bash
# Every GPU measurement of the project, in one call (a lent accelerator is used once).
# Budget: under 8 minutes on one H100/H200; each part has its own time limit, and what a part
# measured is printed as it finishes (JSON lines into $OUT/gpu.jsonl when $OUT is set).
#
#   bash benchmarks/gpu.sh            # from the repository root, with the venv active
#
# 1. Mr.HiSum: one epoch of VASNet at batch 256 on a 4,000-video twin (3,498 training videos),
#    --precision 32 and bf16-mixed; seconds per epoch, and extrapolated to the 27,892 training
#    videos of the real split.
# 2. CSTA, 5 folds x 100 epochs on the full-size synthetic TVSum: packed on one GPU (the
#    sweep engine) and one fold at a time (benchmarks/bench_sweep.py --gpu).
# 3. Training throughput against the Mr.HiSum authors' pipeline at batch 256 (needs their
#    checkout at $MRHISUM, else skipped).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-bench}; mkdir -p "$OUT"; LOG="$OUT/gpu.jsonl"
DATA=$(mktemp -d); trap 'rm -rf "$DATA"' EXIT
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"

# 1. Mr.HiSum epoch time, 32 and bf16-mixed.
timeout 240 vsumbench data synth --out "$DATA/mrhisum" --dataset mrhisum --videos 4000 >/dev/null
for precision in 32 bf16-mixed; do
  start=$(date +%s.%N)
  timeout 150 vsumbench run vasnet --dataset mrhisum --data-dir "$DATA/mrhisum" --epochs 1 \
    --device cuda --precision "$precision" --results "$DATA/res-$precision" --quiet --workers 4 \
    >/dev/null 2>"$OUT/mrhisum-$precision.err"
  rc=$?; end=$(date +%s.%N)
  python - "$DATA/res-$precision" "$precision" "$rc" "$start" "$end" <<'PY' | tee -a "$LOG"
import json, pathlib, sys
root, precision, rc, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
found = list(pathlib.Path(root).rglob("result.json"))
epoch = json.loads(found[0].read_text())["epochs"][0] if found else {}
train = len(json.loads(found[0].read_text())["train_keys"]) if found else None
seconds = epoch.get("seconds")
print(json.dumps({"part": "mrhisum-epoch", "precision": precision, "rc": rc,
                  "command_s": end - start, "epoch_s": seconds, "train_videos": train,
                  "epoch_s_at_27892": seconds * 27892 / train if seconds and train else None}))
PY
done

# 2. CSTA packing on one GPU.
timeout 300 python benchmarks/bench_sweep.py --gpu 2>"$OUT/csta.err" | tail -40 | tee -a "$OUT/csta.json"

# 3. Throughput against the authors' pipeline.
if [ -n "${MRHISUM:-}" ]; then
  timeout 120 python benchmarks/bench_mrhisum_train.py --official "$MRHISUM" --videos 2000 \
    --batch 256 --batches 4 --workers 4 --device cuda --data-root "$DATA" | tee -a "$OUT/throughput.json"
fi
