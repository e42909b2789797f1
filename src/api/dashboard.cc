// the dashboard (GET / and /ui/...). Not built yet: no routes.
#include "api/route_group.h"

namespace orion::api {

namespace {

class Dashboard final : public RouteGroup {
 public:
  void addRoutes(httplib::Server& /*server*/) override {}
};

}  // namespace

std::unique_ptr<RouteGroup> makeDashboard(const ApiEnvironment& /*environment*/) {
  return std::make_unique<Dashboard>();
}

}  // namespace orion::api
