// Python <-> engine conversions for the `credmatch` module (python/credmatch_module.cc): the
// exceptions that carry engine errors to Python, JSON to Python objects, and the checked
// reading of Python arguments (job, profile, text lists, rank rows). Every error names the
// argument or field. Call with the GIL held, except raise(), which may be called without it.
#pragma once

#include <pybind11/pybind11.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "store/ingest.h"
#include "plan/profile.h"

namespace credmatch::python {

namespace py = pybind11;
using namespace pybind11::literals;

using nlohmann::json;

// A failed Status on its way to Python; translated (with the GIL held) by the exception
// translator registered in the module init, so it may be thrown while the GIL is released.
class StatusError : public std::runtime_error {
 public:
  explicit StatusError(const Status& s) : std::runtime_error(s.message()), code_(s.code()) {}
  StatusCode code() const { return code_; }

 private:
  StatusCode code_;
};

inline PyObject* g_catalog_error = nullptr;  // credmatch.CatalogError, set in the module init
struct CatalogErrorTag {};                   // names that Python type for pybind11

// A catalog directory that does not exist: FileNotFoundError (other kNotFound: KeyError).
class MissingCatalog : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void raise(const Status& s) {
  throw StatusError(s);
}

// nlohmann::json → Python objects, key order as the CLI prints it. Non-finite numbers become
// None, as json::dump() writes them (null), so the dict equals json.loads of the CLI's output.
inline py::object to_python(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return py::none();
    case json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case json::value_t::number_integer:
      return py::int_(j.get<int64_t>());
    case json::value_t::number_unsigned:
      return py::int_(j.get<uint64_t>());
    case json::value_t::number_float: {
      const double v = j.get<double>();
      return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none());
    }
    case json::value_t::string:
      return py::str(j.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list out(j.size());
      for (size_t i = 0; i < j.size(); ++i) out[i] = to_python(j[i]);
      return out;
    }
    case json::value_t::object: {
      py::dict out;
      for (const auto& [key, value] : j.items()) out[py::str(key)] = to_python(value);
      return out;
    }
    default:
      throw std::runtime_error("credmatch: cannot convert a JSON " + std::string(j.type_name()) +
                               " to Python");
  }
}

inline std::string type_name(const py::handle& h) {
  return py::str(py::type::of(h).attr("__name__"));
}

// The strings of a list/tuple/iterable (never a bare str, which would iterate its characters).
inline std::vector<std::string> string_list(const py::object& obj, const char* field) {
  if (py::isinstance<py::str>(obj) || py::isinstance<py::bytes>(obj)) {
    throw py::type_error(std::string(field) + ": expected a list of str, got a single " +
                         type_name(obj) + " (wrap it in a list)");
  }
  if (!py::hasattr(obj, "__iter__")) {
    throw py::type_error(std::string(field) + ": expected a list of str, got " + type_name(obj));
  }
  std::vector<std::string> out;
  for (const py::handle item : obj) {
    if (!py::isinstance<py::str>(item)) {
      throw py::type_error(std::string(field) + "[" + std::to_string(out.size()) +
                           "]: expected str, got " + type_name(item));
    }
    out.push_back(item.cast<std::string>());
  }
  return out;
}

inline std::string to_json_text(const py::object& obj) {
  return py::module_::import("json").attr("dumps")(obj, "allow_nan"_a = false).cast<std::string>();
}

// The target job of match / gap / path: exactly one of a job dict, free text or an occupation.
// Read from Python with the GIL held; resolved (occupation lookup) without it.
struct JobInput {
  std::optional<engine::Job> job;
  std::optional<std::string> text;
  std::optional<std::string> occupation;
};

inline JobInput job_input(const py::object& job, const std::optional<std::string>& text,
                          const std::optional<std::string>& occupation) {
  const int given = !job.is_none() + text.has_value() + occupation.has_value();
  if (given != 1) {
    throw py::value_error(
        "give exactly one of job={...} (a job dict), text=\"...\" (a posting) "
        "or occupation=\"...\" (id or title in the catalog)");
  }
  JobInput in;
  if (!job.is_none()) {
    if (!py::isinstance<py::dict>(job)) {
      throw py::type_error("job: expected a dict (docs/formats.md), got " + type_name(job) +
                           "; use text=... for a posting or occupation=... for a title");
    }
    auto parsed = engine::parse_job_json(to_json_text(job), "job", /*require_id=*/false);
    if (!parsed) raise(parsed.status());
    in.job = std::move(*parsed);
  }
  in.text = text;
  in.occupation = occupation;
  return in;
}

// The worker of gap / path: a profile dict (docs/paths.md), "a; b" text, or a list of skills.
inline engine::WorkerProfile profile_input(const py::object& profile) {
  if (py::isinstance<py::str>(profile)) {
    return engine::profile_from_skills_text(profile.cast<std::string>());
  }
  py::object obj = profile;
  if (py::isinstance<py::list>(profile) || py::isinstance<py::tuple>(profile)) {
    obj = py::dict("skills"_a = py::list(profile));
  } else if (!py::isinstance<py::dict>(profile)) {
    throw py::type_error(
        "profile: expected a dict (docs/paths.md), a list of skill statements "
        "or a \"a; b\" string, got " +
        type_name(profile));
  }
  auto parsed = engine::parse_profile_json(to_json_text(obj), "profile");
  if (!parsed) raise(parsed.status());
  return std::move(*parsed);
}

template <typename T>
inline void check_range(const char* field, T value, T lo, T hi) {
  if (!(value >= lo && value <= hi)) {  // also rejects NaN
    throw py::value_error(std::string(field) + ": must be in " +
                          py::str(py::cast(lo)).cast<std::string>() + ".." +
                          py::str(py::cast(hi)).cast<std::string>() + ", got " +
                          py::str(py::cast(value)).cast<std::string>());
  }
}

// id/text pairs for rank(): a dict {id: text} or a sequence of (id, text) pairs.
struct Rows {
  std::vector<std::string> ids;
  std::vector<std::string> texts;
};

inline Rows rank_rows(const py::object& obj, const char* field) {
  Rows rows;
  std::unordered_set<std::string> seen;
  auto add = [&](const py::handle& id, const py::handle& text, const std::string& where) {
    if (!py::isinstance<py::str>(id))
      throw py::type_error(where + ": id must be a str, got " + type_name(id));
    if (!py::isinstance<py::str>(text)) {
      throw py::type_error(where + ": text must be a str, got " + type_name(text));
    }
    std::string i = id.cast<std::string>(), t = text.cast<std::string>();
    if (i.find_first_not_of(' ') == std::string::npos) throw py::value_error(where + ": empty id");
    if (t.find_first_not_of(" \t") == std::string::npos) {
      throw py::value_error(where + ": empty text for id '" + i + "'");
    }
    if (!seen.insert(i).second) throw py::value_error(where + ": duplicate id '" + i + "'");
    rows.ids.push_back(std::move(i));
    rows.texts.push_back(std::move(t));
  };
  if (py::isinstance<py::dict>(obj)) {
    for (const auto& [id, text] : obj.cast<py::dict>()) {
      add(id, text, std::string(field) + "[" + py::repr(id).cast<std::string>() + "]");
    }
    return rows;
  }
  if (py::isinstance<py::str>(obj) || !py::hasattr(obj, "__iter__")) {
    throw py::type_error(std::string(field) +
                         ": expected a dict {id: text} or a list of (id, text), got " +
                         type_name(obj));
  }
  size_t i = 0;
  for (const py::handle item : obj) {
    const std::string where = std::string(field) + "[" + std::to_string(i++) + "]";
    if (!py::isinstance<py::sequence>(item) || py::isinstance<py::str>(item) ||
        py::len(item) != 2) {
      throw py::type_error(where + ": expected an (id, text) pair, got " + type_name(item));
    }
    add(item[py::int_(0)], item[py::int_(1)], where);
  }
  return rows;
}

inline void translate_status(StatusCode code, const char* message) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      PyErr_SetString(PyExc_ValueError, message);
      return;
    case StatusCode::kNotFound:
      PyErr_SetString(PyExc_KeyError, message);
      return;
    case StatusCode::kCorruption:
    case StatusCode::kMismatch:
      PyErr_SetString(g_catalog_error, message);
      return;
    case StatusCode::kIOError:
      PyErr_SetString(PyExc_OSError, message);
      return;
    default:
      PyErr_SetString(PyExc_RuntimeError, message);
  }
}

}  // namespace credmatch::python
