using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Validation;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>An administrator creates a user coupon (bound to one user) or a time coupon (valid between two instants).</summary>
public static class CreateCoupon
{
    /// <param name="Code">3-64 characters of A-Z, 0-9, '-' and '_'; stored upper case, matched case-insensitively.</param>
    /// <param name="Kind">"user" (needs userId) or "time" (needs validFrom and validTo).</param>
    /// <param name="UserId">The shop's id of the customer a user coupon belongs to.</param>
    /// <param name="ValidFrom">From when the coupon applies (required for time coupons).</param>
    /// <param name="ValidTo">Until when it applies, after validFrom (required for time coupons).</param>
    /// <param name="Status">"active" (default), "inactive" or "expired".</param>
    /// <param name="DiscountType">"percent" or "fixed".</param>
    /// <param name="DiscountValue">Percent (0.01-100) or an amount in the order's currency.</param>
    /// <param name="MinOrderValue">Orders below it do not qualify.</param>
    /// <param name="MaxDiscount">A percent discount is at most this much.</param>
    /// <param name="UsageLimit">Redemptions in all, at most.</param>
    /// <param name="PerUserLimit">Redemptions per user, at most.</param>
    public sealed record Command(
        string? Code,
        string? Kind,
        string? DiscountType,
        decimal? DiscountValue,
        string? UserId = null,
        DateTimeOffset? ValidFrom = null,
        DateTimeOffset? ValidTo = null,
        string? Status = null,
        decimal? MinOrderValue = null,
        decimal? MaxDiscount = null,
        int? UsageLimit = null,
        int? PerUserLimit = null)
        : ICommand<Result<CouponResponse>>;

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Code).MustBeAccessCode();
            RuleFor(c => c.Kind).NotEmpty().Must(k => CouponText.Kind(k) is not null)
                .WithMessage("'{PropertyName}' must be \"user\" or \"time\".");
            RuleFor(c => c.Status).Must(s => s is null || CouponText.Status(s) is not null)
                .WithMessage("'{PropertyName}' must be \"active\", \"inactive\" or \"expired\".");
            RuleFor(c => c.DiscountType).NotEmpty().Must(t => CouponText.DiscountType(t) is not null)
                .WithMessage("'{PropertyName}' must be \"percent\" or \"fixed\".");
            RuleFor(c => c.DiscountValue).NotNull().MustBePositiveMoney();
            RuleFor(c => c.DiscountValue).Must((c, v) => v is null || v <= 100m || CouponText.DiscountType(c.DiscountType) != Domain.Coupons.DiscountType.Percent)
                .WithMessage("'{PropertyName}' must be at most 100 for a percent discount.");
            RuleFor(c => c.MinOrderValue).MustBeMoney();
            RuleFor(c => c.MaxDiscount).MustBePositiveMoney();
            RuleFor(c => c.UsageLimit).InclusiveBetween(1, CouponRules.MaxLimit);
            RuleFor(c => c.PerUserLimit).InclusiveBetween(1, CouponRules.MaxLimit);
            RuleFor(c => c.UserId).MustBeExternalId()
                .When(c => CouponText.Kind(c.Kind) == CouponKind.User || c.UserId is not null);
            RuleFor(c => c.ValidFrom).NotNull().When(c => CouponText.Kind(c.Kind) == CouponKind.Time)
                .WithMessage("'{PropertyName}' is required for a time coupon.");
            RuleFor(c => c.ValidTo).NotNull().When(c => CouponText.Kind(c.Kind) == CouponKind.Time)
                .WithMessage("'{PropertyName}' is required for a time coupon.");
            RuleFor(c => c.ValidTo).Must((c, to) => to > c.ValidFrom)
                .When(c => c.ValidFrom is not null && c.ValidTo is not null)
                .WithMessage("'{PropertyName}' must be after validFrom.");
        }
    }

    internal sealed class Handler(ICouponStore store, ICouponDefinitions definitions, TimeProvider clock) : ICommandHandler<Command, Result<CouponResponse>>
    {
        public async ValueTask<Result<CouponResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var coupon = new Coupon
            {
                Id = Guid.CreateVersion7(now),
                Code = AccessCodeRules.Normalize(command.Code!),
                Kind = CouponText.Kind(command.Kind)!.Value,
                UserId = command.UserId,
                ValidFrom = command.ValidFrom?.ToUniversalTime(),
                ValidTo = command.ValidTo?.ToUniversalTime(),
                Status = CouponText.Status(command.Status) ?? CouponStatus.Active,
                DiscountType = CouponText.DiscountType(command.DiscountType)!.Value,
                DiscountValue = Money.Round(command.DiscountValue!.Value),
                MinOrderValue = command.MinOrderValue is { } min ? Money.Round(min) : null,
                MaxDiscount = command.MaxDiscount is { } max ? Money.Round(max) : null,
                UsageLimit = command.UsageLimit,
                PerUserLimit = command.PerUserLimit,
                CreatedAt = now,
                UpdatedAt = now,
            };

            if (!await store.TryAddAsync(coupon, cancellationToken))
            {
                return CouponErrors.AlreadyExists(coupon.Code);
            }

            // A validation of the code before it existed may be remembered as "not found".
            await definitions.ForgetAsync(coupon.Code, cancellationToken);
            return CouponResponse.From(coupon, now);
        }
    }
}
