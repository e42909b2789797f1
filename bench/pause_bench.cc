// The machine's own pauses: T threads each read CLOCK_MONOTONIC in a tight loop for S seconds and
// count the gaps between two readings longer than 1, 2 and 4 ms. Nothing of ORION runs; a gap is
// time the thread was not running although it never blocked: another task, an interrupt, or on a
// virtual machine the host descheduling the virtual CPU (which the guest may not report as steal
// time). Read latency figures (redis_bench's p99, pipeline_bench's) against this: a p99 target
// below the pauses this prints with every core busy cannot be told apart from the machine.
//
// Prints one JSON object. Usage: pause_bench [THREADS] [SECONDS]   (defaults: one per core, 10)
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

int64_t monotonicNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct Pauses {
  std::atomic<int64_t> over_1ms{0};
  std::atomic<int64_t> over_2ms{0};
  std::atomic<int64_t> over_4ms{0};
  std::atomic<int64_t> longest_ns{0};
  std::atomic<int64_t> paused_ns{0};  // total time in gaps over 1 ms
};

void spin(int64_t seconds_ns, Pauses& pauses) {
  const int64_t start = monotonicNs();
  int64_t last = start;
  while (last - start < seconds_ns) {
    const int64_t now = monotonicNs();
    const int64_t gap = now - last;
    last = now;
    if (gap <= 1'000'000) continue;
    pauses.over_1ms.fetch_add(1);
    pauses.paused_ns.fetch_add(gap);
    if (gap > 2'000'000) pauses.over_2ms.fetch_add(1);
    if (gap > 4'000'000) pauses.over_4ms.fetch_add(1);
    int64_t longest = pauses.longest_ns.load();
    while (gap > longest && !pauses.longest_ns.compare_exchange_weak(longest, gap)) {
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::max(1L, cores));
  double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 10;
  if (threads < 1 || seconds <= 0) {
    std::fprintf(stderr, "usage: pause_bench [THREADS] [SECONDS]\n");
    return 2;
  }
  Pauses pauses;
  std::vector<std::thread> spinners;
  for (int i = 0; i < threads; ++i) {
    spinners.emplace_back(spin, static_cast<int64_t>(seconds * 1e9), std::ref(pauses));
  }
  for (std::thread& spinner : spinners) spinner.join();
  std::printf(
      "{\"threads\": %d, \"cores\": %ld, \"seconds\": %.1f, \"pauses_over_1ms\": %lld, "
      "\"pauses_over_2ms\": %lld, \"pauses_over_4ms\": %lld, \"longest_pause_ms\": %.3f, "
      "\"paused_ms_per_s_per_thread\": %.2f}\n",
      threads, cores, seconds, static_cast<long long>(pauses.over_1ms.load()),
      static_cast<long long>(pauses.over_2ms.load()),
      static_cast<long long>(pauses.over_4ms.load()),
      static_cast<double>(pauses.longest_ns.load()) / 1e6,
      static_cast<double>(pauses.paused_ns.load()) / 1e6 / seconds / threads);
  return 0;
}
