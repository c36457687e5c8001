using Capacity.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Problems;

/// <summary>
/// A slice's <see cref="Result{T}"/> as an HTTP answer, so a route method is a line or two: the value with its
/// success status, or the error as problem details (<see cref="ErrorProblems"/>: status, title, Retry-After).
/// </summary>
public static class ResultResponses
{
    public static Results<Ok<T>, ProblemHttpResult> ToOk<T>(this Result<T> result, HttpContext http) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error.ToProblem(http);

    /// <summary>201 with <c>Location</c> from <paramref name="location"/>, or the problem.</summary>
    public static Results<Created<T>, ProblemHttpResult> ToCreated<T>(this Result<T> result, HttpContext http, Func<T, string> location) =>
        result.IsSuccess ? TypedResults.Created(location(result.Value), result.Value) : result.Error.ToProblem(http);

    public static Results<NoContent, ProblemHttpResult> ToNoContent<T>(this Result<T> result, HttpContext http) =>
        result.IsSuccess ? TypedResults.NoContent() : result.Error.ToProblem(http);
}

/// <summary>The problem responses routes declare for the OpenAPI document, in one place per kind of route.</summary>
public static class StandardProblems
{
    /// <summary>
    /// What every route of an API group can answer: 400 (validation), 500 (unexpected), 503 (database
    /// unavailable, breaker open, busy). Declared once on the group.
    /// </summary>
    public static RouteGroupBuilder ProducesStandardProblems(this RouteGroupBuilder group) =>
        group
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>What a route with a JSON body can answer besides: 413 (over 64 KB), 415 (not JSON).</summary>
    public static RouteHandlerBuilder ProducesBodyProblems(this RouteHandlerBuilder route) =>
        route
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
