using Capacity.Domain.AccessCodes;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>Dashboards read the usage of up to 500 codes with one query.</summary>
public static class GetCodeUsageBatch
{
    public const int MaxCodes = 500;

    /// <param name="Codes">Comma-separated codes (case-insensitive), at most 500.</param>
    public sealed record Query(string? Codes) : IQuery<Response>
    {
        internal IReadOnlyList<string> Parsed =>
            (Codes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <param name="Data">One entry per existing code, in the order asked.</param>
    /// <param name="NotFound">Codes asked for that do not exist.</param>
    public sealed record Response(IReadOnlyList<UsageReport> Data, IReadOnlyList<string> NotFound);

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Parsed.Count)
                .InclusiveBetween(1, MaxCodes)
                .OverridePropertyName("codes")
                .WithMessage($"'codes' must list 1 to {MaxCodes} codes (codes=A,B,C).");
            RuleForEach(q => q.Parsed)
                .MustBeAccessCode()
                .OverridePropertyName("codes");
        }
    }

    internal sealed class Handler(IAccessCodeStore store) : IQueryHandler<Query, Response>
    {
        public async ValueTask<Response> Handle(Query query, CancellationToken cancellationToken)
        {
            var asked = query.Parsed.Select(AccessCodeRules.Normalize).Distinct(StringComparer.Ordinal).ToList();
            var found = (await store.GetUsageAsync(asked, cancellationToken)).ToDictionary(u => u.Code, StringComparer.Ordinal);
            return new Response(
                asked.Where(found.ContainsKey).Select(c => found[c]).ToList(),
                asked.Where(c => !found.ContainsKey(c)).ToList());
        }
    }
}

/// <summary>Usage of one code for dashboards.</summary>
/// <param name="ActiveSessions">Open sessions of the code; equals <paramref name="UsageCount"/> unless a write is in flight.</param>
public sealed record UsageReport(
    string Code,
    int UsageCount,
    int MaxUsageCount,
    int ActiveSessions,
    int Remaining,
    bool IsActive,
    DateTimeOffset? ExpiresAt);
