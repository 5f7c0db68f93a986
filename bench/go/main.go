// Command lockstep_go_channels (scripts/bench builds it from this module) is the Go twin of
// lockstep_bench's channel group (bench/channel_workloads.hpp): the same workloads, message
// counts and checks with Go's channels, written in Google Benchmark's JSON schema under the
// same benchmark names (names.json) with the structure `go`, so that bench/plot reads both
// files of a run as one.
//
// Each benchmark does a fixed amount of work per repetition (-work messages, in iterations of
// -ops), as lockstep_bench does, and its repetitions are interleaved at random with every other
// benchmark's: the machines this runs on change speed from minute to minute, and only ratios
// within one run mean anything. GOMAXPROCS is the number of threads the C++ twin runs, at most
// the machine's cores, so both sides use the same processors.
//
// With -suite=runtime it is the twin of lockstep_runtime instead (runtime.go).
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	ops         int
	work        int
	roundtrips  int
	repetitions int
	threads     []int
	capacities  []int
	patternCap  int
	filter      *regexp.Regexp
	out         string
	context     map[string]string
	progress    bool
	list        bool
}

// benchmark is one entry of the matrix: its name without Google Benchmark's suffixes, how
// many goroutines it runs at once (which sets GOMAXPROCS), and one iteration's work.
type benchmark struct {
	name       string
	threads    int
	iterations int
	once       func() run
	// roundtrip is true for pingpong, whose result also carries the time per round trip.
	roundtrip bool
}

func parseList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad list %q", s)
		}
		out = append(out, v)
	}
	return out, nil
}

func iterationsFor(work, perIteration int) int {
	if perIteration <= 0 || work/perIteration < 1 {
		return 1
	}
	return work / perIteration
}

func nameOf(workload, capacity string, threads int) string {
	return fmt.Sprintf("channel/%s/%s/cap:%s/threads:%d/pin:none", workload, names.Channels["go"],
		capacity, threads)
}

// matrix is lockstep_bench's register_channels, entry for entry.
func matrix(o options) []benchmark {
	var out []benchmark
	// Senders and receivers come in pairs; one thread alone sends and receives in turn, which
	// only a buffered channel allows.
	for _, c := range o.capacities {
		for _, t := range o.threads {
			if t != 1 && t%2 != 0 {
				continue
			}
			c, t := c, t
			out = append(out, benchmark{nameOf(workload("buffered"), strconv.Itoa(c), t), t,
				iterationsFor(o.work, o.ops), func() run { return transfer(o.ops, t, c) }, false})
		}
	}
	for _, t := range o.threads {
		if t < 2 || t%2 != 0 {
			continue
		}
		t := t
		out = append(out, benchmark{nameOf(workload("unbuffered"), "0", t), t,
			iterationsFor(o.work, o.ops), func() run { return transfer(o.ops, t, 0) }, false})
	}
	out = append(out, benchmark{nameOf(workload("pingpong"), "0", 2), 2,
		iterationsFor(o.work, 2*o.roundtrips), func() run { return pingpong(o.roundtrips) }, true})
	for _, p := range patterns() {
		for _, t := range o.threads {
			p, t := p, t
			// The pattern's own goroutines (the producer and the caller that collects) come
			// on top of its workers.
			out = append(out, benchmark{nameOf(p, strconv.Itoa(o.patternCap), t), t + 2,
				iterationsFor(o.work, o.ops),
				func() run { return patternRun(p, o.ops, t, o.patternCap) }, false})
		}
	}
	if o.filter == nil {
		return out
	}
	var kept []benchmark
	for _, b := range out {
		if o.filter.MatchString(b.name) {
			kept = append(kept, b)
		}
	}
	return kept
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// measure runs one repetition: `iterations` team runs, timed like Google Benchmark's manual
// time (the sum of the team wall times), checked after each.
func measure(b benchmark) result {
	procs := b.threads
	if procs > runtime.NumCPU() {
		procs = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(procs)
	// A collection inside the timed region would bill one benchmark for another's garbage.
	runtime.GC()
	cpu0 := cpuSeconds()
	var seconds float64
	var items uint64
	for i := 0; i < b.iterations; i++ {
		r := b.once()
		if r.err != nil {
			return result{err: r.err}
		}
		seconds += r.seconds
		items += r.items
	}
	return result{seconds: seconds, cpu: cpuSeconds() - cpu0, items: items}
}

func main() {
	var o options
	var threads, capacities, filter, context string
	flag.IntVar(&o.ops, "ops", 1<<15, "messages per iteration (all senders together)")
	flag.IntVar(&o.work, "work", 1<<17, "messages per repetition")
	flag.IntVar(&o.roundtrips, "roundtrips", 1<<12, "pingpong round trips per iteration")
	flag.IntVar(&o.repetitions, "repetitions", 7, "repetitions of each benchmark")
	flag.StringVar(&threads, "threads", "1,2,4,8", "thread counts")
	flag.StringVar(&capacities, "caps", "1,64,1024", "buffered channel capacities")
	flag.IntVar(&o.patternCap, "pattern_cap", 64, "channel capacity in the three patterns")
	flag.StringVar(&filter, "filter", "", "only benchmarks whose name matches this regex")
	flag.StringVar(&o.out, "out", "go_channels.json", "JSON output path")
	flag.StringVar(&context, "context", "", "key=value,... added to the JSON context")
	flag.BoolVar(&o.progress, "progress", false, "one line on stderr per repetition")
	flag.BoolVar(&o.list, "list", false, "print the benchmark names and exit")
	flag.Parse()
	var err error
	if o.threads, err = parseList(threads); err != nil {
		fail(err)
	}
	if o.capacities, err = parseList(capacities); err != nil {
		fail(err)
	}
	if o.ops < 1 || o.work < 1 || o.roundtrips < 1 || o.repetitions < 1 || o.patternCap < 1 {
		fail(fmt.Errorf("-ops, -work, -roundtrips, -repetitions and -pattern_cap must be positive"))
	}
	if filter != "" {
		if o.filter, err = regexp.Compile(filter); err != nil {
			fail(err)
		}
	}
	o.context = map[string]string{}
	for _, kv := range strings.Split(context, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			o.context[k] = v
		}
	}

	switch *suite {
	case "runtime":
		runtimeMain(o)
		return
	case "channels":
	default:
		fail(fmt.Errorf("-suite must be channels or runtime"))
	}
	benchmarks := matrix(o)
	if o.list {
		for _, b := range benchmarks {
			fmt.Println(b.name)
		}
		return
	}
	results := make([][]result, len(benchmarks))
	for i := range results {
		results[i] = make([]result, o.repetitions)
	}
	interleave(o, len(benchmarks), func(b int) string { return benchmarks[b].name },
		func(b, rep int) { results[b][rep] = measure(benchmarks[b]) })
	if err := write(o, benchmarks, results); err != nil {
		fail(err)
	}
	// A failed check is the benchmark's error in the JSON, and a line here; the exit status
	// stays 0, as lockstep_bench's does: scripts/plot reads the errors and judges the run.
	for i, b := range benchmarks {
		for _, r := range results[i] {
			if r.err != nil {
				fmt.Fprintf(os.Stderr, "check failed: %s: %v\n", b.name, r.err)
			}
		}
	}
}

// interleave runs every repetition of n benchmarks once, in a random order, with a progress
// line on stderr per repetition when asked.
func interleave(o options, n int, name func(int) string, run func(bench, repetition int)) {
	type job struct{ bench, repetition int }
	var jobs []job
	for b := 0; b < n; b++ {
		for r := 0; r < o.repetitions; r++ {
			jobs = append(jobs, job{b, r})
		}
	}
	rand.Seed(time.Now().UnixNano())
	rand.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	start := time.Now()
	for i, j := range jobs {
		run(j.bench, j.repetition)
		if o.progress {
			s := int(time.Since(start).Seconds())
			fmt.Fprintf(os.Stderr, "[%4d/%d %3d:%02d] %s\n", i+1, len(jobs), s/60, s%60,
				name(j.bench))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "lockstep_go_channels:", err)
	os.Exit(2)
}
