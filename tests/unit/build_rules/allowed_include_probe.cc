// Must compile: the watcher links the bus, so the bus interface is in reach.
#include "bus/bus.h"
#include "watcher/watcher.h"
