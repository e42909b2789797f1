// the admin endpoints (admin token). Not built yet: no routes.
#include "api/route_group.h"

namespace orion::api {

namespace {

class AdminRoutes final : public RouteGroup {
 public:
  void addRoutes(httplib::Server& /*server*/) override {}
};

}  // namespace

std::unique_ptr<RouteGroup> makeAdminRoutes(const ApiEnvironment& /*environment*/) {
  return std::make_unique<AdminRoutes>();
}

}  // namespace orion::api
