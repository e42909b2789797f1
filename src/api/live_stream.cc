// GET /api/v1/stream, server-sent events of live documents. Not built yet: no routes.
#include "api/route_group.h"

namespace orion::api {

namespace {

class LiveStream final : public RouteGroup {
 public:
  void addRoutes(httplib::Server& /*server*/) override {}
};

}  // namespace

std::unique_ptr<RouteGroup> makeLiveStream(const ApiEnvironment& /*environment*/) {
  return std::make_unique<LiveStream>();
}

}  // namespace orion::api
