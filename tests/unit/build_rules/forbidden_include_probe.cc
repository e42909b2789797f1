// Must NOT compile: the watcher does not link the guardian, so its header is out of reach.
#include "guardian/guardian.h"
