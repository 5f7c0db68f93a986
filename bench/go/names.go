package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// names.json is the one list of workload and structure names that lockstep_bench
// (bench/names.hpp), this twin and the plots (bench/plot) read. It lives here because go:embed
// cannot reach outside the module.
//
//go:embed names.json
var namesJSON []byte

type nameList struct {
	ChannelWorkloads []string          `json:"channel_workloads"`
	ChannelPatterns  map[string]string `json:"channel_patterns"`
	Channels         map[string]string `json:"channels"`
}

var names = mustNames()

func mustNames() nameList {
	var n nameList
	if err := json.Unmarshal(namesJSON, &n); err != nil {
		panic(fmt.Sprintf("names.json: %v", err))
	}
	if n.Channels["go"] == "" {
		panic("names.json: no channels.go, the name of Go's channel")
	}
	return n
}

// workload returns w after checking that names.json lists it: a workload renamed there and
// not here stops the twin before it writes a name lockstep_bench and the plots do not know.
func workload(w string) string {
	for _, known := range names.ChannelWorkloads {
		if known == w {
			return w
		}
	}
	panic(fmt.Sprintf("workload %q is not in names.json's channel_workloads", w))
}

// patterns are names.json's channel patterns (the examples/ programs), in its workload order.
func patterns() []string {
	var out []string
	for _, w := range names.ChannelWorkloads {
		if _, ok := names.ChannelPatterns[w]; ok {
			out = append(out, w)
		}
	}
	return out
}
