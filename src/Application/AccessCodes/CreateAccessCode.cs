using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>An administrator creates a bulk or single access code.</summary>
public static class CreateAccessCode
{
    /// <param name="Code">3-64 characters of A-Z, 0-9, '-' and '_'; stored upper case, matched case-insensitively.</param>
    /// <param name="Type">"bulk" (many seats) or "single" (one seat).</param>
    /// <param name="MaxUsageCount">Seats: 1-1,000,000 for bulk; 1 (or omitted) for single.</param>
    /// <param name="ExpiresAt">Optional instant after which the code admits no one; must be in the future.</param>
    public sealed record Command(string? Code, string? Type, int? MaxUsageCount = null, DateTimeOffset? ExpiresAt = null)
        : ICommand<Result<AccessCodeResponse>>, IInvalidatesCache<Result<AccessCodeResponse>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<AccessCodeResponse> response) =>
            [AccessCodeCache.CodeTag(AccessCodeRules.Normalize(Code!))];

        CacheTagDelivery IInvalidatesCache<Result<AccessCodeResponse>>.TagDelivery => AccessCodeCache.CodeTagDelivery;
    }

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(c => c.Code).MustBeAccessCode();
            RuleFor(c => c.Type)
                .NotEmpty()
                .Must(t => ParseType(t) is not null)
                .WithMessage("'{PropertyName}' must be \"bulk\" or \"single\".");
            When(c => ParseType(c.Type) == AccessCodeType.Bulk, () =>
                RuleFor(c => c.MaxUsageCount)
                    .NotNull()
                    .InclusiveBetween(1, AccessCodeRules.MaxBulkUsageCount));
            When(c => ParseType(c.Type) == AccessCodeType.Single, () =>
                RuleFor(c => c.MaxUsageCount)
                    .Equal(1)
                    .When(c => c.MaxUsageCount is not null)
                    .WithMessage("'{PropertyName}' must be 1 for a single code."));
            RuleFor(c => c.ExpiresAt)
                .Must(e => e is null || e > clock.GetUtcNow())
                .WithMessage("'{PropertyName}' must be in the future.");
        }
    }

    internal static AccessCodeType? ParseType(string? type) => type?.ToLowerInvariant() switch
    {
        "bulk" => AccessCodeType.Bulk,
        "single" => AccessCodeType.Single,
        _ => null,
    };

    internal sealed class Handler(IAccessCodeStore store, TimeProvider clock)
        : ICommandHandler<Command, Result<AccessCodeResponse>>
    {
        public async ValueTask<Result<AccessCodeResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var type = ParseType(command.Type)!.Value;
            var code = new AccessCode
            {
                Id = Guid.CreateVersion7(now),
                Code = AccessCodeRules.Normalize(command.Code!),
                Type = type,
                IsActive = true,
                ExpiresAt = command.ExpiresAt?.ToUniversalTime(),
                UsageCount = 0,
                MaxUsageCount = type == AccessCodeType.Single ? 1 : command.MaxUsageCount!.Value,
                CreatedAt = now,
                UpdatedAt = now,
            };

            return await store.TryAddAsync(code, cancellationToken)
                ? AccessCodeResponse.From(code)
                : AccessCodeErrors.AlreadyExists(code.Code);
        }
    }
}
