// A doubly linked list threaded through its elements: each element carries a ListHook member
// naming its neighbours, so adding, removing and moving one to the back are O(1) and allocate
// nothing. The correlator orders its open incidents by activity and its resolved conditions by
// resolution this way, and lists its open repeated_failures incidents. The list owns nothing: an
// element must be removed before it is destroyed or moved, and must stay at one address while
// listed (the correlator keeps them in node-based or deque storage). Not thread-safe.
#pragma once

#include <cstddef>

namespace orion::guardian {

template <typename T>
struct ListHook {
  T* prev = nullptr;
  T* next = nullptr;
  bool linked = false;
};

template <typename T, ListHook<T> T::*kHook>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T* front() const { return front_; }
  static T* next(const T& item) { return (item.*kHook).next; }
  static bool contains(const T& item) { return (item.*kHook).linked; }

  // Adds `item`, which must not be listed, at the back.
  void pushBack(T& item) {
    ListHook<T>& hook = item.*kHook;
    hook.prev = back_;
    hook.next = nullptr;
    hook.linked = true;
    if (back_ != nullptr) {
      (back_->*kHook).next = &item;
    } else {
      front_ = &item;
    }
    back_ = &item;
    ++size_;
  }

  // Removes `item` if it is listed.
  void remove(T& item) {
    ListHook<T>& hook = item.*kHook;
    if (!hook.linked) return;
    if (hook.prev != nullptr) {
      (hook.prev->*kHook).next = hook.next;
    } else {
      front_ = hook.next;
    }
    if (hook.next != nullptr) {
      (hook.next->*kHook).prev = hook.prev;
    } else {
      back_ = hook.prev;
    }
    hook = ListHook<T>{};
    --size_;
  }

  // Moves `item` (listed or not) to the back.
  void moveToBack(T& item) {
    if (back_ == &item) return;
    remove(item);
    pushBack(item);
  }

  // Unlinks every element.
  void clear() {
    while (front_ != nullptr) remove(*front_);
  }

 private:
  T* front_ = nullptr;
  T* back_ = nullptr;
  size_t size_ = 0;
};

}  // namespace orion::guardian
