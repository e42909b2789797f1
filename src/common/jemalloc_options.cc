// jemalloc's options for the binaries linked with it (CMakeLists.txt, orion_allocator): read by
// jemalloc at its first allocation; MALLOC_CONF in the environment still overrides them.
//
// percpu_arena:percpu: one arena per CPU, a thread allocating from the arena of the CPU it runs
// on, instead of jemalloc's default of four arenas per CPU shared out among threads. ORION runs
// ~35 mostly idle threads; with eight arenas on a two-CPU machine each arena kept its own
// partly used slabs and metadata: idle `orion run` held 0.5 MiB more anonymous memory
// (idle_rss_bench, docs/benchmarks.md "Idle memory"), and the throughput benches did not gain
// from the extra arenas.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
const char* malloc_conf = "percpu_arena:percpu";
}
