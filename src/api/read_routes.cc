// the read-only JSON API under /api/v1 and GET /ready. Not built yet: no routes.
#include "api/route_group.h"

namespace orion::api {

namespace {

class ReadRoutes final : public RouteGroup {
 public:
  void addRoutes(httplib::Server& /*server*/) override {}
};

}  // namespace

std::unique_ptr<RouteGroup> makeReadRoutes(const ApiEnvironment& /*environment*/) {
  return std::make_unique<ReadRoutes>();
}

}  // namespace orion::api
