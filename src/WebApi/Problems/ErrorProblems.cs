using Capacity.Application.Common.Errors;
using Capacity.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Problems;

/// <summary>The one mapping from expected domain errors to RFC 9457 problem details (rows of <see cref="ErrorKinds"/>).</summary>
public static class ErrorProblems
{
    public static int StatusOf(ErrorKind kind) => ErrorKinds.Of(kind).Status;

    public static ProblemHttpResult ToProblem(this Error error, HttpContext http)
    {
        var kind = ErrorKinds.Of(error.Kind);
        if (kind.RetryAfter && error.RetryAfterSeconds is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Reason is { } reason)
        {
            extensions["reason"] = reason;
        }

        return TypedResults.Problem(
            detail: error.Message,
            statusCode: kind.Status,
            title: kind.Title,
            type: ProblemTypes.For(error.Code),
            extensions: extensions);
    }
}
