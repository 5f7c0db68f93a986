// Linearizability for any abstract type: the user's operations, each a concurrent call on the
// object under test and a sequential call on a model of it, turned into a specification
// (specs.hpp) that the checkers accept. In the manner of Lincheck's @Operation methods:
//
//   struct counter_model {                       // the sequential object, copyable and ==
//     int n = 0;
//     friend bool operator==(const counter_model&, const counter_model&) = default;
//   };
//   const auto counter_ops = lin::operations<my_counter, counter_model>(
//       lin::op("increment", [](my_counter& c) { return c.increment(); },
//                            [](counter_model& m) { return m.n++; }),
//       lin::op("add", lin::one_of(1, 2),        // an argument, chosen per call
//           [](my_counter& c, int v) { c.add(v); }, [](counter_model& m, int v) { m.n += v; }));
//
// The concurrent and the sequential call of one operation return the same type (void, or a type
// with ==); a history is linearizable when some order of its calls that respects their
// precedence gives each call, run on the model, the result the object gave. The model must be
// deterministic: one answer per operation and state (a specification that allows several
// answers is written against lin::specification directly, as in specs.hpp).
//
// The object is default-constructed for every run (a structure that needs a constructor
// argument is wrapped, as verify::constructed_with does), and the model too, which must then be
// its initial state (a standard container is a model as it is: std::set<int> for a set).
// Arguments, results and the model's state are printed by lin::show: numbers, bool, strings,
// std::optional, std::pair, anything with operator<<, ranges of those, and any type for which
// the user specializes lin::formatter. The model may be hashed (std::hash or a hash() member)
// to speed the checker's memoisation.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <random>
#include <ranges>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "specs.hpp"

namespace lockstep::verify::lin {

// --- Printing -----------------------------------------------------------------------------

// Specialize for a type that has no operator<<: static std::string show(const T&).
template <class T>
struct formatter;

template <class T>
std::string show(const T& value);

namespace detail {

template <class T>
concept streamable = requires(std::ostream& out, const T& v) { out << v; };

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};

}  // namespace detail

template <class T>
std::string show(const T& value) {
  if constexpr (requires { formatter<T>::show(value); }) {
    return formatter<T>::show(value);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
    return "void";
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return "\"" + std::string(std::string_view(value)) + "\"";
  } else if constexpr (detail::is_optional<T>::value) {
    return value ? show(*value) : std::string("none");
  } else if constexpr (detail::is_pair<T>::value) {
    return "(" + show(value.first) + ", " + show(value.second) + ")";
  } else if constexpr (detail::streamable<T>) {
    std::ostringstream out;
    out << value;
    return out.str();
  } else if constexpr (std::ranges::input_range<const T>) {
    std::string text = "{";
    for (const auto& element : value) text += (text.size() == 1 ? "" : ", ") + show(element);
    return text + "}";
  } else {
    return "<" + std::to_string(sizeof(T)) + "-byte value; specialize lin::formatter to print it>";
  }
}

// --- Operations ---------------------------------------------------------------------------

// An operation without an argument.
struct no_argument {};

// An argument chosen uniformly from a list of values: lin::one_of(1, 2, 3). Any other callable
// taking a std::mt19937_64& and returning the argument is a generator too.
template <class T>
struct choices {
  std::vector<T> values;
  T operator()(std::mt19937_64& random) const {
    return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(random)];
  }
};

template <class T, class... More>
choices<T> one_of(T first, More... more) {
  return choices<T>{{first, static_cast<T>(more)...}};
}

template <class Generator, class Concurrent, class Sequential>
struct operation_definition {
  const char* name;
  Generator generate;
  Concurrent concurrent;
  Sequential sequential;
};

// An operation: its name (as counterexamples print it), optionally an argument generator, the
// call on the object under test, and the call on the sequential model.
template <class Concurrent, class Sequential>
operation_definition<no_argument, Concurrent, Sequential> op(const char* name, Concurrent c,
                                                            Sequential s) {
  return {name, no_argument{}, std::move(c), std::move(s)};
}

template <class Generator, class Concurrent, class Sequential>
operation_definition<Generator, Concurrent, Sequential> op(const char* name, Generator g,
                                                          Concurrent c, Sequential s) {
  return {name, std::move(g), std::move(c), std::move(s)};
}

namespace detail {

template <class Definition>
struct argument_of {
  using type = std::invoke_result_t<const decltype(Definition::generate)&, std::mt19937_64&>;
};
template <class C, class S>
struct argument_of<operation_definition<no_argument, C, S>> {
  using type = std::monostate;
};

// void results are recorded as std::monostate: a call that returned at all.
template <class T>
using recorded = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class F, class Target, class Argument>
decltype(auto) invoke_with(const F& f, Target& target, const Argument& argument) {
  if constexpr (std::is_same_v<Argument, std::monostate>) {
    return f(target);
  } else {
    return f(target, argument);
  }
}

template <class F, class Target, class Argument>
recorded<decltype(invoke_with(std::declval<const F&>(), std::declval<Target&>(),
                              std::declval<const Argument&>()))>
record_call(const F& f, Target& target, const Argument& argument) {
  if constexpr (std::is_void_v<decltype(invoke_with(f, target, argument))>) {
    invoke_with(f, target, argument);
    return std::monostate{};
  } else {
    return invoke_with(f, target, argument);
  }
}

// Calls body.template operator()<I>() for the I equal to `index`, and returns its value.
template <std::size_t N, class Result, class Body>
Result dispatch(std::size_t index, Body&& body) {
  std::optional<Result> out;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (void)((index == I ? (out.emplace(body.template operator()<I>()), true) : false) || ...);
  }(std::make_index_sequence<N>{});
  return std::move(*out);
}

template <class T>
std::size_t hash_of(const T& value) {
  if constexpr (requires { { value.hash() } -> std::convertible_to<std::size_t>; }) {
    return value.hash();
  } else if constexpr (requires { std::hash<T>{}(value); }) {
    return std::hash<T>{}(value);
  } else {
    return 0;  // every model state in one bucket: slower memoisation, the same verdicts
  }
}

}  // namespace detail

template <class Object, class Model, class... Definitions>
class operation_list;

// The specification built from an operation list: the model's state, stepped by the
// operations' sequential calls. It models lin::specification, so the checkers of checker.hpp
// (real-time order) and order_checker.hpp (any precedence) accept it.
template <class List>
class model_specification {
 public:
  using model = typename List::model;
  // The call: which operation (the variant's index) with which argument.
  struct operation {
    typename List::arguments argument;
    const List* list = nullptr;
    friend bool operator==(const operation& a, const operation& b) {
      return a.argument == b.argument;
    }
  };
  using result = typename List::results;

  explicit model_specification(const List& list) : list_(&list) {}

  bool step(const operation& op, const result& observed) {
    Model next = state_;
    if (list_->apply(next, op.argument) != observed) return false;
    state_ = std::move(next);
    return true;
  }

  // What the model answers to `op` in this state, for counterexamples.
  std::string expected(const operation& op) const {
    Model copy = state_;
    return describe(list_->apply(copy, op.argument));
  }

  std::size_t hash() const { return detail::hash_of(state_); }
  std::string describe() const {
    if constexpr (requires { formatter<Model>::show(state_); } || detail::streamable<Model> ||
                  std::ranges::input_range<const Model>) {
      return show(state_);
    } else {
      return "(the model has no operator<< or lin::formatter)";
    }
  }
  static std::string describe(const operation& op) { return op.list->describe(op.argument); }
  static std::string describe(const result& r) {
    return std::visit([](const auto& v) { return show(v); }, r);
  }
  friend bool operator==(const model_specification& a, const model_specification& b) {
    return a.state_ == b.state_;
  }

 private:
  using Model = model;
  const List* list_;
  Model state_{};
};

template <class Object, class Model, class... Definitions>
class operation_list {
 public:
  using object = Object;
  using model = Model;
  // One alternative per operation, indexed like the operations (alternatives may repeat).
  using arguments = std::variant<typename detail::argument_of<Definitions>::type...>;
  using results = std::variant<detail::recorded<decltype(detail::invoke_with(
      std::declval<const decltype(Definitions::concurrent)&>(), std::declval<Object&>(),
      std::declval<const typename detail::argument_of<Definitions>::type&>()))>...>;
  using specification = model_specification<operation_list>;
  using operation = typename specification::operation;
  static constexpr std::size_t size = sizeof...(Definitions);

  explicit operation_list(Definitions... definitions) : definitions_(std::move(definitions)...) {}

  // Operation `index` with a freshly generated argument.
  operation generate(std::size_t index, std::mt19937_64& random) const {
    return {detail::dispatch<size, arguments>(index,
                                              [&]<std::size_t I>() -> arguments {
                                                return arguments(std::in_place_index<I>,
                                                                 make_argument<I>(random));
                                              }),
            this};
  }

  // The call on the object under test.
  results perform(Object& object, const operation& op) const {
    return detail::dispatch<size, results>(op.argument.index(), [&]<std::size_t I>() -> results {
      return results(std::in_place_index<I>,
                     detail::record_call(std::get<I>(definitions_).concurrent, object,
                                         std::get<I>(op.argument)));
    });
  }

  // The sequential call on the model.
  results apply(Model& model, const arguments& argument) const {
    return detail::dispatch<size, results>(argument.index(), [&]<std::size_t I>() -> results {
      return results(std::in_place_index<I>,
                     detail::record_call(std::get<I>(definitions_).sequential, model,
                                         std::get<I>(argument)));
    });
  }

  // "name(argument)", or "name()".
  std::string describe(const arguments& argument) const {
    return detail::dispatch<size, std::string>(argument.index(), [&]<std::size_t I>() {
      const auto& a = std::get<I>(argument);
      std::string text = std::string(std::get<I>(definitions_).name) + "(";
      if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(a)>, std::monostate>) {
        text += show(a);
      }
      return text + ")";
    });
  }

  const char* name(std::size_t index) const {
    return detail::dispatch<size, const char*>(
        index, [&]<std::size_t I>() { return std::get<I>(definitions_).name; });
  }

  specification initial() const { return specification(*this); }

 private:
  template <std::size_t I>
  typename detail::argument_of<std::tuple_element_t<I, std::tuple<Definitions...>>>::type
  make_argument(std::mt19937_64& random) const {
    const auto& d = std::get<I>(definitions_);
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(d.generate)>, no_argument>) {
      return std::monostate{};
    } else {
      return d.generate(random);
    }
  }

  std::tuple<Definitions...> definitions_;
};

// The operations of the abstract type of Object, specified by the sequential Model.
template <class Object, class Model, class... Definitions>
operation_list<Object, Model, Definitions...> operations(Definitions... definitions) {
  return operation_list<Object, Model, Definitions...>(std::move(definitions)...);
}

}  // namespace lockstep::verify::lin
