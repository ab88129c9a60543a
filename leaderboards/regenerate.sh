#!/usr/bin/env bash
# Regenerate leaderboards/generated/ from scratch.
#
#   bash leaderboards/regenerate.sh                 # synthetic benchmark (what is committed)
#   DATA=/path/to/real/data bash leaderboards/regenerate.sh   # the real eccv16 files
#
# Knobs (environment): DATA (default: a fresh small synthetic benchmark), RESULTS
# (default: results-leaderboard), EPOCHS (CSTA family; default 5 on CPU, use 100 on a GPU),
# EPOCHS_VASNET (default 30), EPOCHS_FIELD (DSNet-AF/AB and PGL-SUM; default 30 on CPU, their
# authors ran 300 and 200), THREADS_FIELD (their torch threads per fold: default 1, these small
# models run fastest one thread per fold, two folds at once), SEEDS (default 1), SELECTION (default paper),
# INIT (default: random on the synthetic benchmark, where ImageNet weights cannot be assumed;
# imagenet, as in the paper, when DATA is given), DATASETS (default
# "summe tvsum"), ENGINE (the sweep's engine: default ray, embedded on this machine; slurm
# or inline), THREADS (torch threads per fold: default 2, as the committed tables were made;
# CSTA-family numbers depend on it in the last bits), TABLES (default 1: write the tables; 0
# to only train). Every model is one sweep's grid: finished folds are never repeated, so an
# interrupted regeneration is finished by running it again.
set -euo pipefail
cd "$(dirname "$0")/.."

RESULTS=${RESULTS:-results-leaderboard}
EPOCHS=${EPOCHS:-5}
EPOCHS_VASNET=${EPOCHS_VASNET:-30}
EPOCHS_FIELD=${EPOCHS_FIELD:-30}
SEEDS=${SEEDS:-1}
SELECTION=${SELECTION:-paper}
[ -n "${DATA:-}" ] && INIT=${INIT:-imagenet} || INIT=${INIT:-random}
DATASETS=${DATASETS:-summe tvsum}
TABLES=${TABLES:-1}
if [ -z "${DATA:-}" ]; then
  DATA=data-leaderboard
  [ -f "$DATA/eccv16_dataset_tvsum_google_pool5.h5" ] || vsumbench data synth --out "$DATA" --size small --seed 0
fi

sets=$(echo "$DATASETS" | tr ' ' ',')
common=(--datasets "$sets" --data-dir "$DATA" --results "$RESULTS" --seeds "$SEEDS"
        --selections "$SELECTION" --engine "${ENGINE:-ray}" --threads "${THREADS:-2}" --quiet)
vsumbench sweep --models csta,csta-baseline,csta-att,csta-attd,csta-kv,csta-pe,csta-cls \
  --epochs "$EPOCHS" --backbone-inits "$INIT" "${common[@]}"
vsumbench sweep --models vasnet,random --epochs "$EPOCHS_VASNET" "${common[@]}"
vsumbench sweep --models dsnet-af,dsnet-ab,pgl-sum --epochs "$EPOCHS_FIELD" "${common[@]}" \
  --threads "${THREADS_FIELD:-1}"
# CLIP-It (its multimodal fields are in the synthetic benchmark) in the three settings of its
# paper: canonical rows for Tables 1 and 3, all three for the F1-by-setting table
# (EPOCHS_CLIPIT, default 10 on CPU).
vsumbench sweep --models clip-it,clip-it-unsup --epochs "${EPOCHS_CLIPIT:-10}" \
  --settings canonical,augmented,transfer "${common[@]}"
# Mr.HiSum: its baselines on the synthetic twin (MRHISUM_VIDEOS, default 400; EPOCHS_MRHISUM,
# default 3 on CPU, the authors ran 200), selected by the dataset's own rule; MRHISUM=0 skips.
if [ "${MRHISUM:-1}" = 1 ]; then
  twin=${MRHISUM_DATA:-data-leaderboard-mrhisum}
  [ -f "$twin/mr_hisum.h5" ] || vsumbench data synth --out "$twin" --dataset mrhisum \
    --videos "${MRHISUM_VIDEOS:-400}" --seed 0
  vsumbench sweep --models pgl-sum,vasnet,sl-module --datasets mrhisum --data-dir "$twin" \
    --results "$RESULTS" --seeds "$SEEDS" --epochs "${EPOCHS_MRHISUM:-3}" \
    --engine "${ENGINE:-ray}" --threads "${THREADS:-2}" --quiet
fi
if [ "$TABLES" = 1 ]; then
  vsumbench table --all --results "$RESULTS" --out leaderboards/generated
  vsumbench plot tradeoff --results "$RESULTS" --out leaderboards/generated/tradeoff
  # The site (not committed: a page and two figures per run) and the README's picture of it
  # (headless Chromium: the test extra's selenium and Debian's chromium, chromium-driver).
  vsumbench report --results "$RESULTS" --out leaderboards/site
  python -m leaderboards.screenshot leaderboards/site docs/img/leaderboard-site.png \
    || echo "docs/img/leaderboard-site.png not updated (no headless Chromium here)"
fi
