"""Plots and summarises one benchmark run (a results/<run>/ folder): `python3 bench/plot RUN_DIR`
(scripts/plot, the installed lockstep-plot).

Reads every Google Benchmark JSON file in the folder, groups repetitions by benchmark name
(stack/<workload>/<structure>/threads:<n>/pin:<policy>, reclaim/..., queue/..., channel/...,
c2c/..., seam/...), and lockstep_stall.json if present, and writes:
  throughput_<workload>.png  stacks: items/s vs threads, one panel per pinning policy (stacks.py)
  ratio.png                  stacks: each median over the baseline's (locked std::mutex stack)
  reclamation.png            the Treiber stack with each reclamation policy, and xenium's queue
                             with its hazard pointers and epochs, over the leaking policy
                             (reclaim.py)
  queue_<workload>.png       queues: items/s vs threads, one row per family, one column per
                             pinning policy (queues.py)
  oversubscription.png       each queue's throughput at 8 threads over its own at 2 threads
  channels.png               lockstep's channels and Go's: messages/s vs threads, one panel per
                             workload and capacity (channels.py)
  stall.png                  unreclaimed nodes and resident memory over time per policy, with
                             one thread stalled holding a protection and without (stall.py)
  summary.md                 the same numbers as tables, with the goals (goals.py) as ratios

Every thread-count panel is drawn by panel.panel; names come from names.json (bench/go), which
lockstep_bench and the Go twin read too. Only ratios within one run are meaningful: the
machine's speed moves between runs.
"""
