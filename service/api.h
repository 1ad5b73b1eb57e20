// The service layer's public API, for the front ends (the CLI's --json output, the HTTP server
// of `credmatch serve`, docs/api.md, and the Python module), which all produce their JSON
// here so the three cannot drift apart:
//   service/request.h  ApiError, Limits, body parsing and request validation
//   service/json.h     builders: engine results -> the JSON of `credmatch ... --json`
//   service/service.h  Service: the JSON API over one catalog directory
#pragma once

#include "service/json.h"
#include "service/request.h"
#include "service/service.h"
