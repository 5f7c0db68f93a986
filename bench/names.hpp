// lockstep::bench::names: bench/go/names.json as C++, the one list of workload and
// structure names that lockstep_bench, the Go twin (bench/go) and the plots (bench/plot) read.
// Generated: CMake checks this file against names.json at configure (bench/install.cmake)
// and stops, leaving the header it should be, when they differ. Edit names.json, not this.
#pragma once

#include <string_view>

namespace lockstep::bench::names {

inline constexpr std::string_view baselines_channel = "go";
inline constexpr std::string_view baselines_deque = "locked_deque_std_mutex";
inline constexpr std::string_view baselines_queue = "std_mutex_deque";
inline constexpr std::string_view baselines_reclaim = "treiber_leaking";
inline constexpr std::string_view baselines_stack = "locked_std_mutex";
inline constexpr std::string_view channel_patterns_fan_in_fan_out = "cooks";
inline constexpr std::string_view channel_patterns_pipeline = "stages";
inline constexpr std::string_view channel_patterns_pubsub = "subscribers";
inline constexpr std::string_view channel_workloads[] = {
    "buffered",
    "unbuffered",
    "pingpong",
    "fan_in_fan_out",
    "pipeline",
    "pubsub",
};
inline constexpr std::string_view channels_fiber = "boost_fiber";
inline constexpr std::string_view channels_go = "go";
inline constexpr std::string_view channels_locked = "locked_channel";
inline constexpr std::string_view channels_locked_coro = "locked_channel_coro";
inline constexpr std::string_view channels_lockfree = "lockfree_channel";
inline constexpr std::string_view channels_lockfree_coro = "lockfree_channel_coro";
inline constexpr std::string_view deque_workloads[] = {
    "owner",
    "steal",
    "mixed",
};
inline constexpr std::string_view deques_locked = "locked_deque_std_mutex";
inline constexpr std::string_view deques_lockfree = "chase_lev_deque";
inline constexpr std::string_view pins[] = {
    "none",
    "compact",
    "scatter",
};
inline constexpr std::string_view queues_atomic_queue = "atomic_queue";
inline constexpr std::string_view queues_boost_spsc_queue = "boost_spsc_queue";
inline constexpr std::string_view queues_bounded_queue = "bounded_queue";
inline constexpr std::string_view queues_faa_queue_hazard_pointers = "faa_queue_hazard_pointers";
inline constexpr std::string_view queues_moodycamel = "moodycamel";
inline constexpr std::string_view queues_ms_queue_hazard_pointers = "ms_queue_hazard_pointers";
inline constexpr std::string_view queues_scq = "scq";
inline constexpr std::string_view queues_spsc_queue = "spsc_queue";
inline constexpr std::string_view queues_xenium_msqueue_hp = "xenium_msqueue_hp";
inline constexpr std::string_view runtime_benchmarks[] = {
    "skynet",
    "fib",
    "spawn_join",
    "memory",
};
inline constexpr std::string_view runtimes_fiber = "boost_fiber";
inline constexpr std::string_view runtimes_go = "go";
inline constexpr std::string_view runtimes_locked_scheduler = "locked_scheduler";
inline constexpr std::string_view runtimes_scheduler = "scheduler";
inline constexpr std::string_view runtimes_scheduler_channels = "scheduler_channels";
inline constexpr std::string_view runtimes_scheduler_locked_channels = "scheduler_locked_channels";
inline constexpr std::string_view runtimes_tbb = "tbb_task_group";
inline constexpr std::string_view workloads[] = {
    "pairs",
    "prodcons",
};

}  // namespace lockstep::bench::names
