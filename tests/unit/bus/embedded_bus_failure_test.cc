// Failure semantics of the embedded bus: redelivery, dead-lettering, validation on consume.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "bus/embedded_core.h"
#include "bus_test_support.h"
#include "contracts/documents.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::embeddedContracts;
using testing::makeEvent;
using testing::Recorder;
using testing::typeGroup;
using testing::waitUntil;

class EmbeddedBusFailureTest : public BusTest {
 protected:
  // The single dead-letter received, checked against its schema and parsed.
  contracts::Deadletter onlyDeadletter() {
    EXPECT_TRUE(waitUntil([&] { return deadletter_docs_count() == 1; }));
    EXPECT_TRUE(deadletter_sub_->drain(later()));
    std::lock_guard lock(docs_mutex_);
    EXPECT_EQ(deadletter_docs_.size(), 1u);
    if (deadletter_docs_.empty()) return {};
    const Json& doc = deadletter_docs_.front();
    Status valid = embeddedContracts()->validate("deadletter", doc);
    EXPECT_TRUE(valid.isOk()) << valid.toString();
    auto parsed = contracts::Deadletter::fromJson(doc);
    EXPECT_TRUE(parsed.isOk()) << parsed.status().toString();
    return parsed.isOk() ? *parsed : contracts::Deadletter{};
  }

  void watchDeadletterDocuments() {
    deadletter_sub_ = subscribe("deadletter", "audit", "audit-1", [this](const Delivery& d) {
      std::lock_guard lock(docs_mutex_);
      deadletter_docs_.push_back(*d.document);
      return Status::ok();
    });
  }

  size_t deadletter_docs_count() {
    std::lock_guard lock(docs_mutex_);
    return deadletter_docs_.size();
  }

  double deadlettered(const std::string& group, const std::string& reason) const {
    return metric("orion_bus_deadlettered_total",
                  {{"type", "event"}, {"group", group}, {"reason", reason}});
  }

  std::unique_ptr<Subscription> deadletter_sub_;
  std::mutex docs_mutex_;
  std::vector<Json> deadletter_docs_;
};

TEST_F(EmbeddedBusFailureTest, AFailingHandlerIsRetriedThenDeadLettered) {
  watchDeadletterDocuments();
  Recorder recorder;
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    recorder.add(d);
    return unavailable("policy store is down");
  });
  Json event = makeEvent(clock_, 9);
  std::string id = *bus_->publish("event", event);

  contracts::Deadletter letter = onlyDeadletter();
  ASSERT_TRUE(sub->drain(later()));
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 3u) << "max_deliveries attempts";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].attempt, i + 1);
    EXPECT_EQ(seen[i].entry_id, id) << "a redelivery carries the same id";
  }
  EXPECT_EQ(letter.source, "orion-bus");
  EXPECT_EQ(letter.stream, "orion:events");
  EXPECT_EQ(letter.contract_type, "event");
  EXPECT_EQ(letter.consumer_group, "brain");
  EXPECT_EQ(letter.original_entry_id, id);
  EXPECT_EQ(letter.delivery_attempts, 3);
  ASSERT_TRUE(letter.original_document.has_value());
  EXPECT_EQ(*letter.original_document, event);
  EXPECT_NE(letter.reason.find("policy store is down"), std::string::npos) << letter.reason;
  EXPECT_NE(letter.reason.find("3 delivery attempt"), std::string::npos) << letter.reason;

  EXPECT_EQ(metric("orion_bus_delivered_total", typeGroup("event", "brain")), 3);
  EXPECT_EQ(metric("orion_bus_redelivered_total", typeGroup("event", "brain")), 2);
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "brain")), 1);
  EXPECT_EQ(deadlettered("brain", "handler_error"), 1);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "deadletter"}}), 1);
  EXPECT_TRUE(bus_->backlog("event", "brain").empty());
}

TEST_F(EmbeddedBusFailureTest, ARetrySucceedsAndIsNotDeadLettered) {
  std::atomic<int> calls{0};
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    ++calls;
    return d.attempt < 2 ? unavailable("transient") : Status::ok();
  });
  publishEvent(1);
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(deadlettered("brain", "handler_error"), 0);
  EXPECT_EQ(metric("orion_bus_redelivered_total", typeGroup("event", "brain")), 1);
}

TEST_F(EmbeddedBusFailureTest, RedeliveryWaitsForTheDelayTimesTheAttempt) {
  EmbeddedBusOptions options = testOptions();
  options.redelivery_delay = std::chrono::seconds(10);
  makeBus(options);
  Recorder recorder;
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    recorder.add(d);
    return unavailable("down");
  });
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));
  EXPECT_EQ(bus_->backlog("event", "brain").pending, 1u);
  clock_.advance(std::chrono::seconds(9));
  EXPECT_EQ(recorder.count(), 1u);
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 2; }));
  // The second retry waits twice the delay.
  clock_.advance(std::chrono::seconds(19));
  EXPECT_EQ(recorder.count(), 2u);
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 3; }));
  EXPECT_EQ(recorder.seen()[2].attempt, 3);
}

TEST_F(EmbeddedBusFailureTest, InvalidArgumentFromAHandlerIsDeadLetteredAtOnce) {
  watchDeadletterDocuments();
  Recorder recorder;
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    recorder.add(d);
    return invalidArgument("incident_type 'x' is not known");
  });
  publishEvent(4);
  contracts::Deadletter letter = onlyDeadletter();
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(recorder.count(), 1u) << "a poison message is not retried";
  EXPECT_EQ(letter.delivery_attempts, 1);
  EXPECT_NE(letter.reason.find("incident_type 'x' is not known"), std::string::npos);
  EXPECT_EQ(deadlettered("brain", "poison"), 1);
  EXPECT_EQ(metric("orion_bus_redelivered_total", typeGroup("event", "brain")), 0);
}

TEST_F(EmbeddedBusFailureTest, AThrowingHandlerCountsAsAFailedDelivery) {
  std::atomic<int> calls{0};
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery&) -> Status {
    ++calls;
    throw std::runtime_error("boom");
  });
  publishEvent(1);
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(deadlettered("brain", "handler_error"), 1);
}

TEST_F(EmbeddedBusFailureTest, ADocumentInvalidOnConsumeIsDeadLetteredWithTheFailures) {
  watchDeadletterDocuments();
  Recorder guardian;
  Recorder memory;
  auto a = record("guardian", "guardian-1", guardian);
  auto b = record("memory", "memory-1", memory);
  auto& core = dynamic_cast<EmbeddedBus&>(*bus_).core();
  Json bad = makeEvent(clock_, 1);
  bad.erase("event_id");
  ASSERT_TRUE(core.publishUnchecked("event", bad).isOk());
  publishEvent(2);
  ASSERT_TRUE(a->drain(later()));
  ASSERT_TRUE(b->drain(later()));
  // Neither group's handler saw the invalid document; each dead-lettered its copy.
  ASSERT_EQ(guardian.count(), 1u);
  EXPECT_EQ(guardian.seen()[0].n, 2);
  ASSERT_EQ(memory.count(), 1u);
  EXPECT_EQ(deadlettered("guardian", "invalid"), 1);
  EXPECT_EQ(deadlettered("memory", "invalid"), 1);
  ASSERT_TRUE(waitUntil([&] { return deadletter_docs_count() == 2; }));
  std::lock_guard lock(docs_mutex_);
  for (const Json& doc : deadletter_docs_) {
    EXPECT_TRUE(embeddedContracts()->validate("deadletter", doc).isOk());
    EXPECT_NE(doc["reason"].get<std::string>().find("event_id"), std::string::npos)
        << doc["reason"];
    EXPECT_EQ(doc["original_document"], bad);
  }
}

TEST_F(EmbeddedBusFailureTest, ANonObjectDocumentTravelsAsRawText) {
  watchDeadletterDocuments();
  Recorder recorder;
  auto sub = record("guardian", "guardian-1", recorder);
  auto& core = dynamic_cast<EmbeddedBus&>(*bus_).core();
  ASSERT_TRUE(core.publishUnchecked("event", Json("not an object")).isOk());
  contracts::Deadletter letter = onlyDeadletter();
  EXPECT_FALSE(letter.original_document.has_value());
  EXPECT_EQ(letter.original_raw, "\"not an object\"");
  EXPECT_EQ(recorder.count(), 0u);
}

TEST_F(EmbeddedBusFailureTest, ADeadLetterThatFailsIsCountedAsLostNotLooped) {
  std::atomic<int> calls{0};
  auto audit = subscribe("deadletter", "audit", "audit-1", [&](const Delivery&) {
    ++calls;
    return unavailable("disk full");
  });
  auto brain = subscribe("event", "brain", "brain-1",
                         [](const Delivery&) { return invalidArgument("poison"); });
  publishEvent(1);
  ASSERT_TRUE(brain->drain(later()));
  ASSERT_TRUE(audit->drain(later()));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "deadletter"}}), 1)
      << "the failed dead-letter is not dead-lettered again";
  EXPECT_EQ(metric("orion_bus_deadlettered_total",
                   {{"type", "deadletter"}, {"group", "audit"}, {"reason", "lost"}}),
            1);
}

TEST_F(EmbeddedBusFailureTest, ADeadLetterThatCannotBePublishedIsCountedAsLost) {
  // The dead-letter stream is full and blocks: its own consumer group never acknowledges.
  EmbeddedBusOptions options = testOptions();
  options.max_stream_length = 1;
  options.when_full = WhenFull::kBlock;
  options.block_timeout = std::chrono::milliseconds(1);
  makeBus(options);
  auto stuck = subscribe("deadletter", "audit", "audit-1",
                         [](const Delivery&) { return unavailable("never"); });
  stuck->stop();
  auto brain = subscribe("event", "brain", "brain-1",
                         [](const Delivery&) { return invalidArgument("poison"); });
  publishEvent(1);
  ASSERT_TRUE(brain->drain(later()));
  publishEvent(2);
  ASSERT_TRUE(brain->drain(later()));
  EXPECT_EQ(deadlettered("brain", "poison"), 1);
  EXPECT_EQ(deadlettered("brain", "lost"), 1);
  EXPECT_EQ(metric("orion_bus_publish_blocked_total", {{"type", "deadletter"}}), 1);
}

}  // namespace
}  // namespace orion::bus
