package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// tally is the order-independent fingerprint of a multiset of values that bench/harness.hpp
// keeps on the C++ side: count, sum and sum of squares, wrapping mod 2^64.
type tally struct {
	count, sum, sumSq uint64
}

func (t *tally) add(v uint64) {
	t.count++
	t.sum += v
	t.sumSq += v * v
}

func (t *tally) merge(o tally) {
	t.count += o.count
	t.sum += o.sum
	t.sumSq += o.sumSq
}

// token is bench/channel_workloads.hpp's: distinct and nonzero across the team.
func token(sender, sequence int) uint64 {
	return uint64(sender)<<40 | uint64(sequence+1)
}

// run is one team run of a workload: its wall time, the messages it delivered, and an error
// when what arrived differs from what was sent.
type run struct {
	seconds float64
	items   uint64
	err     error
}

// team starts n goroutines parked on a start signal, releases them together and times from
// the release to the last one's return, as harness.hpp's run_team does for the C++ side
// (goroutine creation stays outside the measurement).
func team(n int, body func(i int)) float64 {
	start := make(chan struct{})
	ends := make([]time.Time, n)
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer done.Done()
			ready.Done()
			<-start
			body(i)
			ends[i] = time.Now()
		}(i)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	last := t0
	for _, e := range ends {
		if e.After(last) {
			last = e
		}
	}
	return last.Sub(t0).Seconds()
}

func mismatch(sent, received tally) error {
	if sent == received {
		return nil
	}
	return fmt.Errorf("received != sent: sent %d (sum %d), received %d (sum %d)",
		sent.count, sent.sum, received.count, received.sum)
}

// transfer is the buffered and unbuffered workload: threads/2 senders share `messages` sends,
// threads/2 receivers receive until the channel is closed and drained; the last sender to
// finish closes it. One thread alone (buffered only) sends and then receives each message.
func transfer(messages, threads, capacity int) run {
	ch := make(chan uint64, capacity)
	if threads == 1 {
		var sent, received tally
		seconds := team(1, func(int) {
			for j := 0; j < messages; j++ {
				v := token(0, j)
				ch <- v
				sent.add(v)
				received.add(<-ch)
			}
		})
		return run{seconds, received.count, mismatch(sent, received)}
	}
	senders := threads / 2
	sent := make([]tally, threads)
	received := make([]tally, threads)
	sendersLeft := int32(senders)
	seconds := team(senders*2, func(i int) {
		if i < senders {
			for j := i; j < messages; j += senders {
				v := token(i, j)
				ch <- v
				sent[i].add(v)
			}
			if atomic.AddInt32(&sendersLeft, -1) == 0 {
				close(ch)
			}
			return
		}
		for v := range ch {
			received[i].add(v)
		}
	})
	var s, r tally
	for i := range sent {
		s.merge(sent[i])
		r.merge(received[i])
	}
	return run{seconds, r.count, mismatch(s, r)}
}

// pingpong bounces a value between two goroutines over two unbuffered channels: each round
// trip is two handoffs, each a send meeting a waiting receiver.
func pingpong(roundtrips int) run {
	ping := make(chan uint64)
	pong := make(chan uint64)
	var sent, returned tally
	seconds := team(2, func(i int) {
		if i == 0 {
			for j := 0; j < roundtrips; j++ {
				v := token(0, j)
				ping <- v
				sent.add(v)
				returned.add(<-pong)
			}
			close(ping)
			return
		}
		for v := range ping {
			pong <- v
		}
	})
	return run{seconds, returned.count, mismatch(sent, returned)}
}
