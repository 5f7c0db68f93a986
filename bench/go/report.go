package main

import (
	"encoding/json"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// result is one repetition of one benchmark.
type result struct {
	seconds float64 // sum of the team wall times of its iterations
	cpu     float64 // process CPU time over the same iterations, setup included
	items   uint64
	err     error
}

// entry is one element of Google Benchmark's "benchmarks" array, with the fields and units
// lockstep_bench writes (times in milliseconds per iteration, manual time).
type entry struct {
	Name                   string   `json:"name"`
	FamilyIndex            int      `json:"family_index"`
	PerFamilyInstanceIndex int      `json:"per_family_instance_index"`
	RunName                string   `json:"run_name"`
	RunType                string   `json:"run_type"`
	Repetitions            int      `json:"repetitions"`
	RepetitionIndex        *int     `json:"repetition_index,omitempty"`
	Threads                int      `json:"threads"`
	AggregateName          string   `json:"aggregate_name,omitempty"`
	AggregateUnit          string   `json:"aggregate_unit,omitempty"`
	ErrorOccurred          bool     `json:"error_occurred,omitempty"`
	ErrorMessage           string   `json:"error_message,omitempty"`
	Iterations             int      `json:"iterations,omitempty"`
	RealTime               *float64 `json:"real_time,omitempty"`
	CPUTime                *float64 `json:"cpu_time,omitempty"`
	TimeUnit               string   `json:"time_unit,omitempty"`
	CappedRuns             *float64 `json:"capped_runs,omitempty"`
	ItemsPerSecond         *float64 `json:"items_per_second,omitempty"`
	RoundtripNs            *float64 `json:"roundtrip_ns,omitempty"`
	Label                  string   `json:"label,omitempty"`
}

// measures are the numbers of one repetition that aggregates summarise.
type measures struct {
	real, cpu, ips, roundtrip float64
}

func measuresOf(b benchmark, r result) measures {
	m := measures{
		real: r.seconds * 1e3 / float64(b.iterations),
		cpu:  r.cpu * 1e3 / float64(b.iterations),
	}
	if r.seconds > 0 {
		m.ips = float64(r.items) / r.seconds
	}
	if b.roundtrip && r.items > 0 {
		m.roundtrip = r.seconds * 1e9 / float64(r.items)
	}
	return m
}

func ptr(v float64) *float64 { return &v }

func fill(e *entry, b benchmark, m measures) {
	e.RealTime, e.CPUTime, e.TimeUnit = ptr(m.real), ptr(m.cpu), "ms"
	e.CappedRuns, e.ItemsPerSecond = ptr(0), ptr(m.ips)
	if b.roundtrip {
		e.RoundtripNs = ptr(m.roundtrip)
	}
	e.Label = "pus=any"
}

// aggregate is Google Benchmark's: mean, median, sample standard deviation, and the
// coefficient of variation (stddev over mean).
func aggregate(values []float64, kind string) float64 {
	n := float64(len(values))
	mean := 0.0
	for _, v := range values {
		mean += v / n
	}
	variance := 0.0
	for _, v := range values {
		variance += (v - mean) * (v - mean)
	}
	stddev := 0.0
	if len(values) > 1 {
		stddev = math.Sqrt(variance / (n - 1))
	}
	switch kind {
	case "mean":
		return mean
	case "median":
		s := append([]float64(nil), values...)
		sort.Float64s(s)
		if len(s)%2 == 1 {
			return s[len(s)/2]
		}
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	case "stddev":
		return stddev
	default:
		if mean == 0 {
			return 0
		}
		return stddev / mean
	}
}

func entries(o options, benchmarks []benchmark, results [][]result) []entry {
	var out []entry
	for f, b := range benchmarks {
		runName := b.name + "/iterations:" + strconv.Itoa(b.iterations) + "/manual_time"
		base := entry{Name: runName, FamilyIndex: f, RunName: runName, RunType: "iteration",
			Repetitions: o.repetitions, Threads: 1}
		var ms []measures
		for rep, r := range results[f] {
			e := base
			e.RepetitionIndex = new(int)
			*e.RepetitionIndex = rep
			if r.err != nil {
				e.ErrorOccurred, e.ErrorMessage = true, r.err.Error()
			} else {
				m := measuresOf(b, r)
				ms = append(ms, m)
				e.Iterations = b.iterations
				fill(&e, b, m)
			}
			out = append(out, e)
		}
		// As Google Benchmark: aggregates only over more than one repetition, none after an error.
		if o.repetitions < 2 || len(ms) != o.repetitions {
			continue
		}
		for _, kind := range []string{"mean", "median", "stddev", "cv"} {
			pick := func(get func(measures) float64) float64 {
				values := make([]float64, len(ms))
				for i, m := range ms {
					values[i] = get(m)
				}
				return aggregate(values, kind)
			}
			e := base
			e.Name, e.RunType, e.AggregateName, e.AggregateUnit = runName+"_"+kind, "aggregate",
				kind, "time"
			if kind == "cv" {
				e.AggregateUnit = "percentage"
			}
			e.Iterations = len(ms)
			fill(&e, b, measures{
				real:      pick(func(m measures) float64 { return m.real }),
				cpu:       pick(func(m measures) float64 { return m.cpu }),
				ips:       pick(func(m measures) float64 { return m.ips }),
				roundtrip: pick(func(m measures) float64 { return m.roundtrip }),
			})
			out = append(out, e)
		}
	}
	return out
}

func loadAverage() []float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	var out []float64
	for _, f := range strings.Fields(string(data))[:3] {
		if v, err := strconv.ParseFloat(f, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// write emits the run as Google Benchmark's JSON. Its context keys are prefixed
// lockstep_go_ where lockstep_bench has a key of its own, because bench/plot merges the
// contexts of every JSON file in a run.
func write(o options, benchmarks []benchmark, results [][]result) error {
	return writeDocument(o, map[string]any{
		"lockstep_go_channel_structures":  names.Channels["go"] + ":peer",
		"lockstep_go_ops_per_iteration":   strconv.Itoa(o.ops),
		"lockstep_go_work_per_repetition": strconv.Itoa(o.work),
		"lockstep_go_roundtrips":          strconv.Itoa(o.roundtrips),
		"lockstep_go_gomaxprocs":          "min(threads, num_cpus); patterns: min(workers + 2, num_cpus)",
	}, entries(o, benchmarks, results))
}

// writeDocument writes the JSON document: the machine's context, the suite's own keys, the
// command line's -context, and the benchmarks.
func writeDocument(o options, suite map[string]any, benchmarks any) error {
	host, _ := os.Hostname()
	exe, _ := os.Executable()
	context := map[string]any{
		"date":                time.Now().Format(time.RFC3339),
		"host_name":           host,
		"executable":          exe,
		"num_cpus":            runtime.NumCPU(),
		"load_avg":            loadAverage(),
		"lockstep_go_version": runtime.Version(),
	}
	for k, v := range suite {
		context[k] = v
	}
	for k, v := range o.context {
		context[k] = v
	}
	doc := map[string]any{"context": context, "benchmarks": benchmarks}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.out, append(data, '\n'), 0o644)
}
