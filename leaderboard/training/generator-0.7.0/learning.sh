#!/usr/bin/env bash
# The learning issue's long CPU runs, one after another, at the lowest priority; each resumes
# from its checkpoint (OUTPUT/last.pt) when started again. Data: generator 0.7.0 fields.
# FlowNetSD's second entry continues its first run from step 1,500 (a new cosine to 3,000).
set -u
# setsid starts a new session, which the scheduler treats as its own group: nice the group.
echo 19 > /proc/self/autogroup 2>/dev/null
cd /work/main && . .venv/bin/activate
export OMP_NUM_THREADS=2
BANK=~/runs/bank-g070
nice -n 19 quakebench bank --output $BANK --num-fields 512 --size 128 || exit 1
for spec in "flownetsd 4 1500" "flownets 8 8000" "strainnet 4 4000" "flownetsd 4 3000"; do
  set -- $spec
  nice -n 19 quakebench train --model $1 --dataset ~/builds/prewarped-mini --stream $BANK/15m-128px \
    --crop 64 --batch-size $2 --steps $3 --validate-every 250 --device cpu \
    --output ~/runs/$1-g070 || echo "run $1 stopped with $?"
done
echo ALL-RUNS-DONE
