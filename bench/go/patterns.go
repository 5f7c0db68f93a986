package main

import (
	"fmt"
	"sync"
	"time"
)

// The three patterns of examples/ (fan_in_fan_out.hpp, pipeline.hpp, pubsub_broker.hpp)
// written the way a Go programmer writes them, with the same shapes, counts and results, so
// that each pair measures one program in two languages.

// fanInFanOut: one producer hands orders 1..orders to `cooks` workers over one channel; each
// cook passes its orders to one results channel, which the caller drains. Returns the sum of
// the delivered values.
func fanInFanOut(orders, cooks, capacity int) uint64 {
	in := make(chan uint64, capacity)
	out := make(chan uint64, capacity)
	go func() {
		for o := 1; o <= orders; o++ {
			in <- uint64(o)
		}
		close(in)
	}()
	var working sync.WaitGroup
	working.Add(cooks)
	for c := 0; c < cooks; c++ {
		go func() {
			defer working.Done()
			for o := range in {
				out <- o
			}
		}()
	}
	go func() {
		working.Wait()
		close(out)
	}()
	var sum uint64
	for v := range out {
		sum += v
	}
	return sum
}

// pipeline: a producer sends 1..messages through `stages` goroutines in a chain, each adding
// one, to the caller, which sums what arrives.
func pipeline(messages, stages, capacity int) uint64 {
	first := make(chan uint64, capacity)
	go func() {
		for m := 1; m <= messages; m++ {
			first <- uint64(m)
		}
		close(first)
	}()
	in := first
	for s := 0; s < stages; s++ {
		out := make(chan uint64, capacity)
		go func(in <-chan uint64, out chan<- uint64) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	var sum uint64
	for v := range in {
		sum += v
	}
	return sum
}

// message is the broker's: a topic and a content.
type message struct {
	topic   string
	content uint64
}

type subscription struct {
	topic   string
	channel chan message
}

// broker is examples/pubsub_broker.hpp's, as the Go original has it: one goroutine owns the
// topic table and selects over publish, subscribe and done; a subscriber whose channel is full
// loses the message (and it is counted).
type broker struct {
	publish   chan message
	subscribe chan subscription
	done      chan struct{}
	stopped   chan struct{}
	dropped   uint64
}

func newBroker() *broker {
	b := &broker{make(chan message), make(chan subscription), make(chan struct{}),
		make(chan struct{}), 0}
	go b.loop()
	return b
}

func (b *broker) loop() {
	subscribers := map[string][]chan message{}
	for {
		select {
		case m := <-b.publish:
			for _, ch := range subscribers[m.topic] {
				select {
				case ch <- m:
				default:
					b.dropped++
				}
			}
		case s := <-b.subscribe:
			subscribers[s.topic] = append(subscribers[s.topic], s.channel)
		case <-b.done:
			for _, chs := range subscribers {
				for _, ch := range chs {
					close(ch)
				}
			}
			close(b.stopped)
			return
		}
	}
}

func (b *broker) close() {
	close(b.done)
	<-b.stopped
}

// pubsub: `subscribers` readers subscribe to one topic with channels of the given capacity, the
// caller publishes 1..messages, closes the broker, and the readers drain their channels.
// Returns the messages received and the messages dropped.
func pubsub(messages, subscribers, capacity int) (received, dropped uint64) {
	b := newBroker()
	counts := make([]uint64, subscribers)
	var reading sync.WaitGroup
	reading.Add(subscribers)
	for i := 0; i < subscribers; i++ {
		ch := make(chan message, capacity)
		b.subscribe <- subscription{"bench", ch}
		go func(i int) {
			defer reading.Done()
			var n uint64
			for range ch {
				n++
			}
			counts[i] = n
		}(i)
	}
	for m := 1; m <= messages; m++ {
		b.publish <- message{"bench", uint64(m)}
	}
	b.close()
	reading.Wait()
	for _, n := range counts {
		received += n
	}
	return received, b.dropped
}

// patternRun times one call of a pattern on the calling goroutine and checks its result as
// bench/channel_workloads.hpp does: fan-in/fan-out and the pipeline deliver every message, so
// their sums are known; the broker may drop, but every message is received or dropped once per
// subscriber.
func patternRun(pattern string, messages, threads, capacity int) run {
	m, w := uint64(messages), uint64(threads)
	triangle := m * (m + 1) / 2
	t0 := time.Now()
	var r run
	switch pattern {
	case "fan_in_fan_out":
		got := fanInFanOut(messages, threads, capacity)
		r = run{seconds: time.Since(t0).Seconds(), items: m}
		if got != triangle {
			r.err = fmt.Errorf("fan_in_fan_out: delivered sum %d, sent %d", got, triangle)
		}
	case "pipeline":
		got := pipeline(messages, threads, capacity)
		r = run{seconds: time.Since(t0).Seconds(), items: m}
		if want := triangle + m*w; got != want {
			r.err = fmt.Errorf("pipeline: delivered sum %d, expected %d", got, want)
		}
	case "pubsub":
		received, dropped := pubsub(messages, threads, capacity)
		r = run{seconds: time.Since(t0).Seconds(), items: received}
		if received+dropped != m*w {
			r.err = fmt.Errorf("pubsub: received %d + dropped %d != %d", received, dropped, m*w)
		}
	default:
		r.err = fmt.Errorf("%s: a pattern names.json lists and this twin does not run", pattern)
	}
	return r
}
