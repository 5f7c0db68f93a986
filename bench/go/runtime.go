package main

// The runtime suite (-suite=runtime): the Go twin of lockstep_runtime (bench/runtime), the
// same workloads, sizes and checks with goroutines, written under the same benchmark names
// (runtime/<benchmark>/go/threads:<workers>/pin:none) in Google Benchmark's JSON schema.
// GOMAXPROCS is the worker count, oversubscribed or not, as the C++ side starts that many
// workers.

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	suite         = flag.String("suite", "channels", "channels or runtime (bench/runtime's twin)")
	rtWorkers     = flag.String("workers", "1,2", "runtime suite: GOMAXPROCS values")
	rtSkynet      = flag.Int("skynet_size", 1000000, "runtime suite: skynet leaves (a power of 10)")
	rtFib         = flag.Int("fib", 30, "runtime suite: fib's argument")
	rtSpawn       = flag.Int("spawn_tasks", 1000000, "runtime suite: spawn_join's goroutines")
	rtMemory      = flag.Int("memory_tasks", 1000000, "runtime suite: parked goroutines")
	rtMemoryChild = flag.Bool("memory_child", false, "internal: one memory measurement")
)

// runtimeNames are names.json's runtime benchmarks and implementations.
var runtimeNames = func() (n struct {
	Benchmarks []string          `json:"runtime_benchmarks"`
	Runtimes   map[string]string `json:"runtimes"`
}) {
	if err := json.Unmarshal(namesJSON, &n); err != nil || n.Runtimes["go"] == "" {
		panic(fmt.Sprintf("names.json: no runtimes.go (%v)", err))
	}
	return n
}()

// runtimeRun is one repetition: its time, the goroutines it started, the bytes per parked
// goroutine (memory only) and an error when the result is wrong.
type runtimeRun struct {
	seconds float64
	tasks   uint64
	cpu     float64
	bytes   float64
	err     error
}

type runtimeBenchmark struct {
	benchmark
	workers int
	once    func() runtimeRun
}

// skynet is the classic: each goroutine starts ten children and sums what they send back.
func skynet(out chan<- uint64, num, size uint64) {
	if size == 1 {
		out <- num
		return
	}
	sums := make(chan uint64, 10)
	for i := uint64(0); i < 10; i++ {
		go skynet(sums, num+i*(size/10), size/10)
	}
	var sum uint64
	for i := 0; i < 10; i++ {
		sum += <-sums
	}
	out <- sum
}

// skynetTasks is the number of goroutines (tasks) a tree with `size` leaves starts.
func skynetTasks(size uint64) uint64 {
	if size == 1 {
		return 1
	}
	return 1 + 10*skynetTasks(size/10)
}

// fib forks fib(n-1) into a goroutine at every level and computes fib(n-2) itself.
func fib(n int) uint64 {
	if n < 2 {
		return uint64(n)
	}
	c := make(chan uint64, 1)
	go func() { c <- fib(n - 1) }()
	y := fib(n - 2)
	return <-c + y
}

// fibExpected returns fib(n) and how many goroutines fib starts for it.
func fibExpected(n int) (value, spawned uint64) {
	a, b := uint64(0), uint64(1)
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	// spawned(n) = 1 + spawned(n-1) + spawned(n-2), spawned(0) = spawned(1) = 0.
	s0, s1 := uint64(0), uint64(0)
	for i := 2; i <= n; i++ {
		s0, s1 = s1, 1+s1+s0
	}
	if n < 2 {
		return a, 0
	}
	return a, s1
}

func timed(f func()) float64 {
	t0 := time.Now()
	f()
	return time.Since(t0).Seconds()
}

func runSkynet(size int) runtimeRun {
	var sum uint64
	seconds := timed(func() {
		out := make(chan uint64, 1)
		go skynet(out, 0, uint64(size))
		sum = <-out
	})
	n := uint64(size)
	r := runtimeRun{seconds: seconds, tasks: skynetTasks(n)}
	if want := n * (n - 1) / 2; sum != want {
		r.err = fmt.Errorf("skynet(%d) = %d, want %d", size, sum, want)
	}
	return r
}

func runFib(n int) runtimeRun {
	var got uint64
	seconds := timed(func() { got = fib(n) })
	want, spawned := fibExpected(n)
	r := runtimeRun{seconds: seconds, tasks: spawned}
	if got != want {
		r.err = fmt.Errorf("fib(%d) = %d, want %d", n, got, want)
	}
	return r
}

// runSpawnJoin starts n goroutines that each count themselves, and waits for them all.
func runSpawnJoin(n int) runtimeRun {
	var count atomic.Uint64
	seconds := timed(func() {
		var wg sync.WaitGroup
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func() {
				count.Add(1)
				wg.Done()
			}()
		}
		wg.Wait()
	})
	r := runtimeRun{seconds: seconds, tasks: uint64(n)}
	if got := count.Load(); got != uint64(n) {
		r.err = fmt.Errorf("spawn_join: %d of %d goroutines ran", got, n)
	}
	return r
}

func residentBytes() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(fields[1], 64)
	return pages * float64(os.Getpagesize())
}

// memoryChild parks n goroutines on a channel and prints the resident bytes they added, per
// goroutine, and the seconds it took to park them. It runs in a process of its own, so that no
// earlier benchmark's freed goroutines and stacks are reused and hide the cost.
func memoryChild(n int) {
	debug.FreeOSMemory()
	// Nothing parked here is garbage: collections would only slow the parking down.
	debug.SetGCPercent(-1)
	before := residentBytes()
	t0 := time.Now()
	gate := make(chan struct{})
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	seconds := time.Since(t0).Seconds()
	after := residentBytes()
	close(gate)
	finished.Wait()
	fmt.Printf("%g %g\n", seconds, (after-before)/float64(n))
}

func runMemory(n, workers int) runtimeRun {
	exe, err := os.Executable()
	if err != nil {
		return runtimeRun{err: err}
	}
	cmd := exec.Command(exe, "-suite=runtime", "-memory_child", "-memory_tasks="+strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(workers))
	out, err := cmd.Output()
	if err != nil {
		return runtimeRun{err: fmt.Errorf("memory child: %v", err)}
	}
	r := runtimeRun{tasks: uint64(n)}
	if _, err := fmt.Sscan(string(out), &r.seconds, &r.bytes); err != nil {
		return runtimeRun{err: fmt.Errorf("memory child printed %q", out)}
	}
	if r.bytes <= 0 {
		r.err = fmt.Errorf("memory: %g resident bytes per parked goroutine", r.bytes)
	}
	return r
}

func runtimeName(bench string, workers int) string {
	return fmt.Sprintf("runtime/%s/%s/threads:%d/pin:none", runtimeBench(bench),
		runtimeNames.Runtimes["go"], workers)
}

// runtimeBench returns b after checking that names.json lists it.
func runtimeBench(b string) string {
	for _, known := range runtimeNames.Benchmarks {
		if known == b {
			return b
		}
	}
	panic(fmt.Sprintf("benchmark %q is not in names.json's runtime_benchmarks", b))
}

// runtimeMatrix is lockstep_runtime's, entry for entry; memory at the largest worker count only,
// as a parked goroutine's cost does not depend on it.
func runtimeMatrix(o options, workers []int) []runtimeBenchmark {
	var out []runtimeBenchmark
	add := func(bench string, w int, once func() runtimeRun) {
		out = append(out, runtimeBenchmark{benchmark{name: runtimeName(bench, w), threads: 1,
			iterations: 1}, w, once})
	}
	most := 0
	for _, w := range workers {
		add("skynet", w, func() runtimeRun { return runSkynet(*rtSkynet) })
		add("fib", w, func() runtimeRun { return runFib(*rtFib) })
		add("spawn_join", w, func() runtimeRun { return runSpawnJoin(*rtSpawn) })
		if w > most {
			most = w
		}
	}
	add("memory", most, func() runtimeRun { return runMemory(*rtMemory, most) })
	if o.filter == nil {
		return out
	}
	var kept []runtimeBenchmark
	for _, b := range out {
		if o.filter.MatchString(b.name) {
			kept = append(kept, b)
		}
	}
	return kept
}

// runtimeEntry is a Google Benchmark entry with lockstep_runtime's memory counter.
type runtimeEntry struct {
	entry
	BytesPerTask *float64 `json:"bytes_per_task,omitempty"`
}

func runtimeMain(o options) {
	if *rtMemoryChild {
		memoryChild(*rtMemory)
		return
	}
	workers, err := parseList(*rtWorkers)
	if err != nil {
		fail(err)
	}
	if *rtSkynet < 1 || *rtFib < 0 || *rtSpawn < 1 || *rtMemory < 1 {
		fail(fmt.Errorf("-skynet_size, -spawn_tasks and -memory_tasks must be positive"))
	}
	for s := *rtSkynet; s > 1; s /= 10 {
		if s%10 != 0 {
			fail(fmt.Errorf("-skynet_size must be a power of 10"))
		}
	}
	benchmarks := runtimeMatrix(o, workers)
	if o.list {
		for _, b := range benchmarks {
			fmt.Println(b.name)
		}
		return
	}
	runs := make([][]runtimeRun, len(benchmarks))
	for i := range runs {
		runs[i] = make([]runtimeRun, o.repetitions)
	}
	interleave(o, len(benchmarks), func(b int) string { return benchmarks[b].name },
		func(b, rep int) {
			runtime.GOMAXPROCS(benchmarks[b].workers)
			// A collection inside the timed region would bill one benchmark for another's
			// garbage.
			runtime.GC()
			cpu0 := cpuSeconds()
			r := benchmarks[b].once()
			r.cpu = cpuSeconds() - cpu0
			runs[b][rep] = r
		})
	if err := writeRuntime(o, workers, benchmarks, runs); err != nil {
		fail(err)
	}
	for i, b := range benchmarks {
		for _, r := range runs[i] {
			if r.err != nil {
				fmt.Fprintf(os.Stderr, "check failed: %s: %v\n", b.name, r.err)
			}
		}
	}
}

// writeRuntime emits the suite as Google Benchmark's JSON through report.go's entries, with
// bytes_per_task on the memory benchmark's repetitions and aggregates.
func writeRuntime(o options, workers []int, benchmarks []runtimeBenchmark,
	runs [][]runtimeRun) error {
	plain := make([]benchmark, len(benchmarks))
	results := make([][]result, len(benchmarks))
	for i, b := range benchmarks {
		plain[i] = b.benchmark
		results[i] = make([]result, len(runs[i]))
		for rep, r := range runs[i] {
			results[i][rep] = result{seconds: r.seconds, cpu: r.cpu, items: r.tasks, err: r.err}
		}
	}
	var out []runtimeEntry
	for _, e := range entries(o, plain, results) {
		re := runtimeEntry{entry: e}
		for i, b := range benchmarks {
			if b.name+"/iterations:1/manual_time" != e.RunName || !strings.HasPrefix(b.name,
				"runtime/memory/") || e.ErrorOccurred {
				continue
			}
			if e.RepetitionIndex != nil && e.RunType == "iteration" {
				re.BytesPerTask = ptr(runs[i][*e.RepetitionIndex].bytes)
			} else {
				values := make([]float64, len(runs[i]))
				for rep, r := range runs[i] {
					values[rep] = r.bytes
				}
				re.BytesPerTask = ptr(aggregate(values, e.AggregateName))
			}
		}
		out = append(out, re)
	}
	return writeDocument(o, map[string]any{
		"lockstep_go_runtime_structures": runtimeNames.Runtimes["go"] + ":peer",
		"lockstep_go_runtime_workers":    *rtWorkers,
		"lockstep_go_runtime_gomaxprocs": "the worker count",
	}, out)
}
