// The `credmatch` Python module: a catalog opened once, then match / gap / path (the same JSON
// as `credmatch ... --json` and the HTTP API, built by service/api.h), rank (as `credmatch
// rank`), and encode / search on numpy arrays. Usage and reference: docs/python.md.
//
// Threads: every method releases the GIL while the engine works (encoding, index search,
// matching, planning), so several Python threads using one Catalog run in parallel: the
// LoadedCatalog, its SQLite store included, is thread-safe.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "base/status.h"
#include "service/api.h"
#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "plan/gap_calibration.h"
#include "store/ingest.h"
#include "match/job_input.h"
#include "text/lexical.h"
#include "match/matcher.h"
#include "plan/profile.h"
#include "eval/ranking.h"
#include "python/convert.h"

namespace py = pybind11;
using namespace pybind11::literals;

namespace credmatch::python {
namespace {

using nlohmann::json;


class Catalog {
 public:
  explicit Catalog(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      throw MissingCatalog(dir.string() +
                           ": no such catalog directory (build one with "
                           "`credmatch build --catalog DIR`)");
    }
    Result<std::unique_ptr<engine::LoadedCatalog>> cat = Status::internal("not opened");
    {
      py::gil_scoped_release release;
      cat = engine::LoadedCatalog::open(dir.string());
    }
    if (!cat && cat.status().code() == StatusCode::kNotFound)
      throw MissingCatalog(cat.status().message());
    if (!cat) raise(cat.status());
    cat_ = std::move(*cat);
    // The gap thresholds calibrated for this catalog's encoder, or the defaults with a note.
    auto thresholds = engine::load_gap_thresholds(cat_->dir(), cat_->encoder().id());
    if (!thresholds) raise(thresholds.status());
    thresholds_ = std::move(*thresholds);
  }

  int dim() const { return cat_->encoder().dim(); }
  std::string encoder_id() const { return cat_->encoder().id(); }
  std::string dir() const { return cat_->dir(); }
  size_t size() const { return cat_->competencies().size(); }
  size_t num_credentials() const { return cat_->credentials().size(); }

  std::string repr() const {
    return "<credmatch.Catalog '" + cat_->dir() + "': " + std::to_string(num_credentials()) +
           " credentials, " + std::to_string(size()) + " competencies, encoder " + encoder_id() +
           ">";
  }

  py::dict competency(int64_t position) const {
    const int64_t n = static_cast<int64_t>(size());
    if (position < 0) position += n;  // Python-style negative index
    if (position < 0 || position >= n) {
      throw py::index_error("position: " + std::to_string(position) + " is outside 0.." +
                            std::to_string(n - 1));
    }
    const auto& c = cat_->competencies()[size_t(position)];
    return py::dict("id"_a = c.id, "credential_id"_a = c.credential_id, "text"_a = c.text,
                    "kind"_a = std::string(engine::to_string(c.kind)));
  }

  py::dict credential(const std::string& id) const {
    const auto at = cat_->find_credential(id);
    if (!at) raise(Status::not_found("credential: unknown id \"" + id + "\""));
    const auto& c = cat_->credentials()[size_t(*at)];
    py::list competencies;
    for (int64_t p : cat_->competencies_of(*at)) competencies.append(competency(p));
    auto opt = [](const std::optional<double>& v) {
      return v ? py::object(py::float_(*v)) : py::none();
    };
    return py::dict("id"_a = c.id, "title"_a = c.title, "provider"_a = c.provider,
                    "kind"_a = c.kind, "language"_a = c.language, "hours"_a = opt(c.hours),
                    "cost"_a = opt(c.cost), "currency"_a = c.currency, "url"_a = c.url,
                    "prerequisites"_a = c.prerequisites, "competencies"_a = competencies);
  }

  py::array_t<float> encode(const py::object& texts) const {
    const std::vector<std::string> in = string_list(texts, "texts");
    const auto d = static_cast<py::ssize_t>(dim());
    py::array_t<float> out({static_cast<py::ssize_t>(in.size()), d});
    float* data = out.mutable_data();
    {
      py::gil_scoped_release release;
      cat_->encoder().encode(in, std::span<float>(data, in.size() * size_t(d)));
    }
    return out;
  }

  py::tuple search(const py::array& vectors, int k, int ef_search, int nprobe) const {
    if (k <= 0) throw py::value_error("k: must be >= 1, got " + std::to_string(k));
    if (!vectors.dtype().is(py::dtype::of<float>())) {
      throw py::type_error("vectors: expected a float32 array, got dtype " +
                           py::str(vectors.dtype()).cast<std::string>() +
                           " (use .astype(numpy.float32))");
    }
    if (vectors.ndim() != 2 || vectors.shape(1) != dim()) {
      std::string shape = "(";
      for (py::ssize_t i = 0; i < vectors.ndim(); ++i) {
        shape += (i ? ", " : "") + std::to_string(vectors.shape(i));
      }
      shape += vectors.ndim() == 1 ? ",)" : ")";
      throw py::value_error("vectors: expected shape (n, " + std::to_string(dim()) + "), got " +
                            shape + " (one query: vectors.reshape(1, -1))");
    }
    // A C-contiguous view, copying only when the caller passed a strided array.
    auto q = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(vectors);
    const int64_t n = q.shape(0);
    py::array_t<float> scores({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(k)});
    py::array_t<int64_t> ids({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(k)});
    if (n > 0) {
      const float* qdata = q.data();
      float* sdata = scores.mutable_data();
      int64_t* idata = ids.mutable_data();
      py::gil_scoped_release release;
      index::SearchParams params;
      params.ef_search = ef_search;
      params.nprobe = nprobe;
      const index::SearchResult r = cat_->index().search(
          n, std::span<const float>(qdata, size_t(n) * size_t(dim())), k, params);
      std::copy(r.scores.begin(), r.scores.end(), sdata);
      std::copy(r.ids.begin(), r.ids.end(), idata);
    }
    return py::make_tuple(scores, ids);
  }

  py::object match(const py::object& job, const std::optional<std::string>& text,
                   const std::optional<std::string>& occupation, int top, float threshold,
                   int neighbours) const {
    check_range("top", top, 1, 1000000);
    check_range("threshold", threshold, -1.0f, 1.0f);
    check_range("neighbours", neighbours, 1, 100000);
    JobInput in = job_input(job, text, occupation);
    json out;
    {
      py::gil_scoped_release release;
      const engine::Job target = resolve(std::move(in));
      engine::MatchConfig config;
      config.top = top;
      config.threshold = threshold;
      config.neighbours = neighbours;
      engine::Matcher matcher(*cat_, config);
      const auto t0 = std::chrono::steady_clock::now();
      auto result = matcher.match(target);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!result) raise(result.status());
      out = engine::api::match_to_json(*cat_, target, config, *result, ms);
    }
    return to_python(out);
  }

  py::object gap(const py::object& profile, const py::object& job,
                 const std::optional<std::string>& text,
                 const std::optional<std::string>& occupation,
                 const std::vector<std::string>& with_credentials, std::optional<float> covered_arg,
                 std::optional<float> partial_arg) const {
    // As `credmatch gap`: the catalog's calibrated thresholds unless the caller sets them.
    engine::GapThresholds source = thresholds_;
    const float covered = covered_arg.value_or(source.covered);
    const float partial = partial_arg.value_or(source.partial);
    if (covered_arg || partial_arg) {
      source.calibrated = false;
      source.note = "set by the caller (otherwise: " + source.note + ")";
    }
    check_range("covered_threshold", covered, 0.0f, 1.0f);
    check_range("partial_threshold", partial, -1.0f, 1.0f);
    if (partial > covered) {
      throw py::value_error("partial_threshold: must not exceed covered_threshold (" +
                            std::to_string(partial) + " > " + std::to_string(covered) + ")");
    }
    const engine::WorkerProfile worker = profile_input(profile);
    JobInput in = job_input(job, text, occupation);
    json out;
    {
      py::gil_scoped_release release;
      const engine::Job target = resolve(std::move(in));
      engine::GapConfig config;
      config.covered_threshold = covered;
      config.partial_threshold = partial;
      const engine::GapAnalyzer analyzer(*cat_, config);
      const engine::GapReport report = analyze(analyzer, target, worker, "");
      std::optional<engine::GapReport> with_report;
      if (!with_credentials.empty()) {
        engine::WorkerProfile more = worker;
        for (const auto& id : with_credentials) more.completed.push_back(id);
        with_report = analyze(analyzer, target, more, "with_credentials");
      }
      out = engine::api::gap_to_json(*cat_, target, config, source, report, with_credentials,
                                     with_report ? &*with_report : nullptr);
    }
    return to_python(out);
  }

  py::object path(const py::object& profile, const py::object& job,
                  const std::optional<std::string>& text,
                  const std::optional<std::string>& occupation,
                  const engine::PathOptions& options) const {
    if (options.objective != "hours" && options.objective != "cost" &&
        options.objective != "count") {
      throw py::value_error("objective: must be \"hours\", \"cost\" or \"count\", got \"" +
                            options.objective + "\"");
    }
    if (options.max_hours) check_range("max_hours", *options.max_hours, 0.0, 1e9);
    if (options.max_cost) check_range("max_cost", *options.max_cost, 0.0, 1e12);
    if (options.max_credentials)
      check_range("max_credentials", *options.max_credentials, 0, 1000000);
    if (options.target) check_range("target", *options.target, 0.0, 1.0);
    check_range("neighbours", options.candidates.neighbours, 1, 100000);
    const engine::WorkerProfile worker = profile_input(profile);
    JobInput in = job_input(job, text, occupation);
    json out;
    {
      py::gil_scoped_release release;
      const engine::Job target = resolve(std::move(in));
      engine::GapConfig gap_config;
      gap_config.covered_threshold = thresholds_.covered;
      gap_config.partial_threshold = thresholds_.partial;
      const engine::GapAnalyzer analyzer(*cat_, gap_config);
      const engine::GapReport report = analyze(analyzer, target, worker, "");
      const engine::PathOutcome outcome =
          engine::compute_path(*cat_, target, worker, report, gap_config, options);
      out = engine::api::path_to_json(*cat_, target, report, options, outcome);
    }
    return to_python(out);
  }

  py::list rank(const py::object& targets, const py::object& queries, int k,
                const std::string& encoder) const {
    check_range("k", k, 1, 100000);
    if (encoder != "catalog" && encoder != "bm25" && encoder != "tfidf-char") {
      throw py::value_error("encoder: must be \"catalog\", \"bm25\" or \"tfidf-char\", got \"" +
                            encoder + "\"");
    }
    const Rows t = rank_rows(targets, "targets");
    const Rows q = rank_rows(queries, "queries");
    if (t.ids.empty()) throw py::value_error("targets: empty (give at least one (id, text))");
    std::vector<engine::RankedList> lists;
    {
      py::gil_scoped_release release;
      lists = encoder == "catalog" ? rank_dense(t.texts, q.texts, k)
                                   : rank_lexical(encoder, t.texts, q.texts, k);
    }
    py::list out;
    for (size_t i = 0; i < lists.size(); ++i) {
      for (size_t j = 0; j < lists[i].ids.size(); ++j) {
        out.append(py::make_tuple(q.ids[i], t.ids[size_t(lists[i].ids[j])], int(j + 1),
                                  double(lists[i].scores[j])));
      }
    }
    return out;
  }

 private:
  // Runs without the GIL.
  engine::Job resolve(JobInput in) const {
    if (in.job) return std::move(*in.job);
    if (in.text) {
      auto job = engine::job_from_posting(*in.text);
      if (!job) raise(job.status().with_context("text"));
      return std::move(*job);
    }
    auto job = engine::job_from_occupation(cat_->store(), *in.occupation);
    if (!job) raise(job.status().with_context("occupation"));
    return std::move(*job);
  }

  // analyze() reads the store only to resolve taxonomy skill ids (plan/profile.cc).
  engine::GapReport analyze(const engine::GapAnalyzer& analyzer, const engine::Job& job,
                            const engine::WorkerProfile& worker, const std::string& field) const {
    auto report = analyzer.analyze(job, worker);
    if (!report) {
      raise(field.empty() || report.status().code() != StatusCode::kNotFound
                ? report.status()
                : report.status().with_context(field));
    }
    return std::move(*report);
  }

  // As `credmatch rank --encoder catalog`: the catalog's encoder, exact inner-product search.
  std::vector<engine::RankedList> rank_dense(const std::vector<std::string>& targets,
                                             const std::vector<std::string>& queries, int k) const {
    return engine::DenseRanker(cat_->encoder(), targets).rank(queries, k);
  }

  static std::vector<engine::RankedList> rank_lexical(const std::string& name,
                                                      const std::vector<std::string>& targets,
                                                      const std::vector<std::string>& queries,
                                                      int k) {
    const std::unique_ptr<engine::LexicalRanker> ranker = engine::make_lexical_ranker(name, targets);
    std::vector<engine::RankedList> out;
    out.reserve(queries.size());
    for (const auto& q : queries) out.push_back(ranker->search(q, k));
    return out;
  }

  std::unique_ptr<engine::LoadedCatalog> cat_;
  engine::GapThresholds thresholds_;
};

}  // namespace
}  // namespace credmatch::python

PYBIND11_MODULE(credmatch, m) {
  using credmatch::python::Catalog;
  namespace cp = credmatch::python;
  m.doc() = R"(credmatch: match skills to credentials (docs/python.md).

    cat = credmatch.Catalog("catalog")       # a directory built by `credmatch build`
    cat.match(occupation="data analyst", top=3)
    cat.gap(["SQL", "Excel"], occupation="data analyst")
    cat.path("SQL; Excel", occupation="data analyst", max_hours=40)
    cat.rank({"t1": "text"}, {"q1": "query"}, k=10)
    vectors = cat.encode(["Write SQL queries"])      # numpy float32, shape (n, cat.dim)
    scores, ids = cat.search(vectors, k=5)           # ids index cat.competency(i)

Every method releases the GIL while the engine works, so threads sharing one Catalog run in
parallel. Errors: ValueError (bad input, naming the field), TypeError (wrong Python type or
numpy dtype), KeyError (unknown occupation, credential or skill id), FileNotFoundError
(no catalog at the path), credmatch.CatalogError (corrupt or mismatched catalog files).)";
  m.attr("__version__") = CREDMATCH_VERSION;

  static py::exception<cp::CatalogErrorTag> catalog_error(m, "CatalogError", PyExc_RuntimeError);
  catalog_error.doc() = "A catalog's files are corrupt or do not agree (encoder, vectors, index).";
  cp::g_catalog_error = catalog_error.ptr();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cp::MissingCatalog& e) {
      PyErr_SetString(PyExc_FileNotFoundError, e.what());
    } catch (const cp::StatusError& e) {
      cp::translate_status(e.code(), e.what());
    } catch (const credmatch::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<Catalog>(m, "Catalog", R"(A catalog directory opened for matching (read-only).

Opening loads the encoder, the vectors and the index once; every method may then be called
from several threads at once (the GIL is released while the engine works).)")
      .def(py::init<const std::filesystem::path&>(), "path"_a,
           R"(Opens the catalog directory `path` (str or os.PathLike), as built by
`credmatch build`. FileNotFoundError if there is none; credmatch.CatalogError if its files are
corrupt or do not agree.)")
      .def_property_readonly("dim", &Catalog::dim, "Dimension of the encoder's vectors.")
      .def_property_readonly("encoder_id", &Catalog::encoder_id,
                             "Id of the fitted encoder (name, dim, fingerprint).")
      .def_property_readonly("directory", &Catalog::dir, "The catalog directory.")
      .def_property_readonly("num_credentials", &Catalog::num_credentials, "Number of credentials.")
      .def("__len__", &Catalog::size,
           "Number of indexed competencies: search() ids run over 0 .. len(cat) - 1.")
      .def("__repr__", &Catalog::repr)
      .def("competency", &Catalog::competency, "position"_a,
           "The indexed competency at `position` (an id from search()): dict with id, "
           "credential_id, text, kind. IndexError when out of range.")
      .def("credential", &Catalog::credential, "id"_a,
           "The credential with this id: dict with title, provider, hours, cost, ..., and its "
           "indexed competencies. KeyError when unknown.")
      .def("encode", &Catalog::encode, "texts"_a,
           R"(Encodes a list of str into a numpy float32 array of shape (len(texts), dim): one unit
vector per text (all zeros when the text has no known feature); inner product = similarity.
Releases the GIL while encoding.)")
      .def("search", &Catalog::search, "vectors"_a, "k"_a = 10, py::kw_only(), "ef_search"_a = 0,
           "nprobe"_a = 0,
           R"(The k competencies nearest to each row of `vectors` (numpy float32, shape (n, dim)) by
inner product, from the catalog's index. Returns (scores, ids): float32 and int64 arrays of
shape (n, k), best first; when the index holds fewer than k vectors the rest is padded with
id -1 and score -inf. ef_search / nprobe tune approximate (Faiss HNSW / IVF) indexes; 0 keeps
the default. Releases the GIL while searching.)")
      .def("match", &Catalog::match, "job"_a = py::none(), py::kw_only(), "text"_a = py::none(),
           "occupation"_a = py::none(), "top"_a = 10,
           "threshold"_a = credmatch::engine::MatchConfig{}.threshold,
           "neighbours"_a = credmatch::engine::MatchConfig{}.neighbours,
           R"(Ranks credentials for a job, with evidence per requirement. Give exactly one of `job`
(a dict: {"title": ..., "requirements": [{"text": ..., "importance": "essential"}]},
docs/formats.md), `text` (a posting, split into requirements) or `occupation` (id or English /
French title in the catalog). Returns the dict `credmatch match --json` prints (and POST
/v1/match answers): job, config, encoder, results (rank, credential, score, evidence),
candidates_rescored, milliseconds. Releases the GIL while matching.)")
      .def("gap", &Catalog::gap, "profile"_a, "job"_a = py::none(), py::kw_only(),
           "text"_a = py::none(), "occupation"_a = py::none(),
           "with_credentials"_a = std::vector<std::string>{}, "covered_threshold"_a = py::none(),
           "partial_threshold"_a = py::none(),
           R"(Which requirements of a job the worker covers, partly covers or misses. `profile`: a
dict (docs/paths.md: skills, skill_ids, completed, language, constraints), a list of skill
statements, or a "a; b" string. The job as for match(). `with_credentials`: recompute as if the
worker also held these credential ids. covered_threshold / partial_threshold: default the
catalog's calibrated thresholds (`credmatch calibrate-gap`), else 0.6 / 0.35. Returns the dict of `credmatch gap --json`: job,
thresholds, gap (coverage, covered / partial / missing, one entry per requirement with the
worker's evidence), and "with" when asked. Releases the GIL while analysing.)")
      .def(
          "path",
          [](const Catalog& self, const py::object& profile, const py::object& job,
             const std::optional<std::string>& text, const std::optional<std::string>& occupation,
             const std::string& objective, std::optional<double> max_hours,
             std::optional<double> max_cost, std::optional<int> max_credentials,
             const std::string& language, std::optional<double> target, int neighbours,
             bool explain, const std::string& candidates) {
            credmatch::engine::PathOptions o;
            o.objective = objective;
            o.max_hours = max_hours;
            o.max_cost = max_cost;
            o.max_credentials = max_credentials;
            o.language = language;
            o.target = target;
            o.candidates.neighbours = neighbours;
            const auto source = credmatch::engine::parse_path_candidate_source(candidates);
            if (!source) {
              throw py::value_error("candidates: must be \"auto\", \"relevance\" or \"index\", got \"" +
                                    candidates + "\"");
            }
            o.candidates.source = *source;
            o.explain = explain;
            return self.path(profile, job, text, occupation, o);
          },
          "profile"_a, "job"_a = py::none(), py::kw_only(), "text"_a = py::none(),
          "occupation"_a = py::none(), "objective"_a = "hours", "max_hours"_a = py::none(),
          "max_cost"_a = py::none(), "max_credentials"_a = py::none(), "language"_a = "",
          "target"_a = py::none(), "neighbours"_a = 64, "explain"_a = false,
          "candidates"_a = "auto",
          R"(The cheapest ordered sequence of credentials (prerequisites first) that closes the
worker's gap to a job. Worker and job as for gap(). candidates: "auto" (the credentials the
relevance model finds related to the job, where the catalog has one), "relevance" or "index"
(any credential with a competency near an open requirement). objective: "hours", "cost" or "count";
max_hours, max_cost, max_credentials, language override the profile's constraints; target:
coverage to reach (0..1, default the most reachable). Returns the dict of `credmatch path
--json`: status ("optimal", "greedy", "nothing to do" or "infeasible"), totals, coverage
before / after, steps (hours, cost, coverage_after each), remaining, and "explain" if asked.
Releases the GIL while planning.)")
      .def("rank", &Catalog::rank, "targets"_a, "queries"_a, "k"_a = 100, py::kw_only(),
           "encoder"_a = "catalog",
           R"(Ranks `targets` for every query, as `credmatch rank` does with TSV files. targets and
queries: a dict {id: text} or a list of (id, text) pairs (ids unique, texts non-empty).
encoder: "catalog" (this catalog's encoder, exact search), "bm25" or "tfidf-char". Returns a
list of (query_id, target_id, rank, score) tuples, rank 1 = best, min(k, len(targets)) per
query, in query order: the rows of the CLI's run file. Releases the GIL while ranking.)");
}
