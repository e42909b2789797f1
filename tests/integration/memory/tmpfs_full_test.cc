// A real full filesystem: a 2 MiB tmpfs, nearly filled. Needs root to mount it; skipped
// otherwise (the fault-injecting file layer covers the same behaviour in the unit tests).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "memory/audit_writer.h"
#include "memory/memory.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using namespace std::chrono_literals;

TEST(TmpfsFullTest, ARealFullFilesystemDegradesKeepsWhatWasWrittenAndResumes) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  orion::testing::TempDir temp;
  std::filesystem::path mount = temp.path() / "small";
  std::filesystem::create_directories(mount);
  if (::mount("tmpfs", mount.c_str(), "tmpfs", 0, "size=2m,mode=0700") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount};

  // Leave about 64 KiB free.
  std::filesystem::path filler = mount / "filler";
  {
    std::ofstream out(filler, std::ios::binary);
    std::string block(4096, 'x');
    for (int i = 0; i < (2 << 20) / 4096 - 16; ++i) out << block;
  }

  SimulatedClock clock;
  MetricsRegistry registry;
  MemoryMetrics metrics(registry);
  WriterOptions options;
  options.dir = mount / "audit";
  options.sync_interval = 0ms;
  options.retry_initial = 5ms;
  options.retry_max = 20ms;
  Result<std::unique_ptr<AuditWriter>> opened =
      AuditWriter::open(options, makePosixAuditFs(), clock, metrics);
  ASSERT_TRUE(opened) << opened.status().toString();
  AuditWriter& writer = **opened;

  uint64_t last = 0;
  for (int i = 0; i < 400; ++i) {
    Result<Submitted> s = writer.submit(
        "event", "1-0", testing::eventDoc("e" + std::to_string(i) + std::string(300, 'p')));
    ASSERT_TRUE(s) << s.status().toString();
    last = s->seq;
    // The first 50 (~30 KiB) fit: made durable before the rest, so that what follows cannot
    // all land in one group commit that fails whole (then nothing would be durable yet).
    if (i == 49) {
      ASSERT_TRUE(writer.waitDurable(last));
    }
  }
  ASSERT_TRUE(orion::testing::waitUntil([&] { return writer.degraded(); }))
      << "400 records of ~600 bytes do not fit in 64 KiB";
  uint64_t durable = writer.durableSeq();
  EXPECT_GT(durable, 0u);
  EXPECT_LT(durable, last);
  Result<VerifyReport> during = verifyTrail({options.dir, std::nullopt});
  ASSERT_TRUE(during);
  EXPECT_TRUE(during->ok) << "what was written is intact";
  EXPECT_TRUE(during->notes.empty()) << "and has no partial record at its end";
  EXPECT_GE(during->last_seq, durable);

  std::filesystem::remove(filler);  // space returns
  ASSERT_TRUE(writer.waitDurable(last));
  EXPECT_TRUE(orion::testing::waitUntil([&] { return !writer.degraded(); }));
  writer.close(clock.monotonic());
  Result<VerifyReport> after = verifyTrail({options.dir, std::nullopt});
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->ok);
  EXPECT_EQ(after->records, last);
}

}  // namespace
}  // namespace orion::memory
