// A small stand-in for libFuzzer's main, so every fuzz target also runs as an ordinary ctest with
// GCC: it replays each seed file, then feeds the target `--iterations` deterministic mutations of
// them (bit flips, byte and chunk edits, splices, dictionary tokens). A crash, a sanitizer report
// or a failed assertion ends the process; the input that caused it is written first to
// `<name>.crash` in the working directory so it can be replayed (`<target> <file>`). An input that
// runs longer than --timeout seconds (default 10) or makes the process use more than --rss-mb
// (default 2048) of address space is a finding too, as under libFuzzer.
//
// With clang, scripts/fuzz.sh builds the same targets against the real libFuzzer instead, for
// long coverage-guided runs; this driver is only the regression net.
//
//   <target> [--iterations N] [--seed S] [--max-len BYTES] PATH...   (a PATH is a file or a dir)
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being tried, for the crash handler (which may only use async-signal-safe calls).
const std::string* current_input = nullptr;
char crash_file[512] = "fuzz.crash";

void writeCrashInput(int signal_number) {
  if (current_input != nullptr) {
    int fd = open(crash_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = write(fd, current_input->data(), current_input->size());
      (void)ignored;
      close(fd);
    }
    const char note[] = "fuzz driver: the failing input was written to ";
    ssize_t ignored = write(STDERR_FILENO, note, sizeof(note) - 1);
    ignored = write(STDERR_FILENO, crash_file, strlen(crash_file));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
  }
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

// Tokens that matter to the parsers under test: JSON and YAML structure, the contracts' enum
// values and formats, numbers at the edges.
const char* const kDictionary[] = {
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "null",
    "true",
    "false",
    "-1",
    "0",
    "1e309",
    "1.0",
    "\"1.0\"",
    "\\u0000",
    "\\ud800",
    "\n",
    "  ",
    "- ",
    "#",
    "&a",
    "*a",
    "!!binary",
    "---",
    "...",
    "'",
    "=",
    "export ",
    "${X}",
    "ORION_",
    "\"version\"",
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00",
    "+00:00",
    "00000000-0000-4000-8000-000000000000",
    "\"severity\"",
    "\"critical\"",
    "\"event_id\"",
    "\"data\"",
    "\"tags\"",
    "N3",
    "99999999999999999999",
};

std::string mutate(std::string input, const std::vector<std::string>& corpus, std::mt19937_64& rng,
                   size_t max_len) {
  auto below = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  int edits = 1 + static_cast<int>(below(4));
  for (int e = 0; e < edits; ++e) {
    switch (below(7)) {
      case 0:  // flip a bit
        if (!input.empty()) input[below(input.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:  // replace a byte
        if (!input.empty()) input[below(input.size())] = static_cast<char>(below(256));
        break;
      case 2:  // insert a byte
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(below(input.size() + 1)),
                     static_cast<char>(below(256)));
        break;
      case 3:  // erase a chunk
        if (!input.empty()) {
          size_t at = below(input.size());
          input.erase(at, 1 + below(std::min<size_t>(16, input.size() - at)));
        }
        break;
      case 4: {  // duplicate a chunk
        if (input.empty()) break;
        size_t at = below(input.size());
        std::string chunk = input.substr(at, 1 + below(32));
        input.insert(below(input.size() + 1), chunk);
        break;
      }
      case 5: {  // splice with another seed
        const std::string& other = corpus[below(corpus.size())];
        if (other.empty()) break;
        size_t from = below(other.size());
        input = input.substr(0, below(input.size() + 1)) + other.substr(from);
        break;
      }
      default: {  // insert a dictionary token
        const char* token = kDictionary[below(std::size(kDictionary))];
        input.insert(below(input.size() + 1), token);
        break;
      }
    }
  }
  if (input.size() > max_len) input.resize(max_len);
  return input;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned per_input_timeout = 10;

void run(const std::string& input) {
  current_input = &input;
  alarm(per_input_timeout);  // SIGALRM: the input hangs
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  alarm(0);
  current_input = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 10000;
  uint64_t seed = 1;
  size_t max_len = 4096;
  unsigned timeout_seconds = 10;
  size_t address_space_mb = 2048;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--iterations" && i + 1 < argc) {
      iterations = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--timeout" && i + 1 < argc) {
      timeout_seconds = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--rss-mb" && i + 1 < argc) {
      address_space_mb = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--max-len" && i + 1 < argc) {
      max_len = std::strtoul(argv[++i], nullptr, 10);
    } else {
      paths.emplace_back(arg);
    }
  }
  per_input_timeout = timeout_seconds;
  std::snprintf(crash_file, sizeof(crash_file), "%s.crash",
                std::filesystem::path(argv[0]).filename().c_str());
#if !defined(__SANITIZE_ADDRESS__)
  // Runaway allocation becomes std::bad_alloc, i.e. an abort. (Not under ASan: it reserves
  // terabytes of shadow address space, and reports excessive allocations itself.)
  rlimit memory{static_cast<rlim_t>(address_space_mb) << 20, static_cast<rlim_t>(address_space_mb)
                                                                 << 20};
  setrlimit(RLIMIT_AS, &memory);
#else
  (void)address_space_mb;
#endif
  for (int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM}) {
    signal(signal_number, writeCrashInput);
  }

  std::vector<std::string> corpus;
  for (const auto& path : paths) {
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) corpus.push_back(readFile(entry.path()));
      }
    } else if (std::filesystem::is_regular_file(path)) {
      corpus.push_back(readFile(path));
    } else {
      std::fprintf(stderr, "fuzz driver: %s is neither a file nor a directory\n", path.c_str());
      return 2;
    }
  }
  if (corpus.empty()) corpus.emplace_back();

  for (const auto& input : corpus) run(input);
  std::mt19937_64 rng(seed);
  for (long n = 0; n < iterations; ++n) {
    run(mutate(corpus[rng() % corpus.size()], corpus, rng, max_len));
  }
  std::printf("fuzz driver: %zu seeds and %ld mutations ran clean (seed %llu)\n", corpus.size(),
              iterations, static_cast<unsigned long long>(seed));
  return 0;
}
