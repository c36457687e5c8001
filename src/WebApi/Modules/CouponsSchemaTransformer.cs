using System.Globalization;
using Capacity.Application.Coupons;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using Capacity.WebApi.OpenApi;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

using static Capacity.WebApi.OpenApi.SchemaEdits;

namespace Capacity.WebApi.Modules;

/// <summary>The coupon feature's part of the OpenAPI document: the validators' limits, the enums, money as 2-decimal amounts.</summary>
internal sealed class CouponsSchemaTransformer : IFeatureSchemaTransformer
{
    private static readonly string MaxAmount = Domain.Common.Money.MaxAmount.ToString(CultureInfo.InvariantCulture);

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CreateCoupon.Command))
        {
            Code(Property(schema, "code"));
            OneOf(Property(schema, "kind"), CouponText.Kinds);
            OneOf(Property(schema, "status"), CouponText.Statuses, nullable: true).Description = "Default active.";
            OneOf(Property(schema, "discountType"), CouponText.DiscountTypes);
            var value = Money(Property(schema, "discountValue"), positive: true);
            value.Description = "Percent (at most 100 for a percent discount) or an amount; greater than 0, at most 2 decimal places.";
            Money(Property(schema, "minOrderValue"), nullable: true);
            Money(Property(schema, "maxDiscount"), positive: true, nullable: true);
            Limit(Property(schema, "usageLimit"));
            Limit(Property(schema, "perUserLimit"));
            ExternalId(Property(schema, "userId"), nullable: true).Description = "Required for a user coupon: the shop's id of its customer.";
            Property(schema, "validFrom").Description = "Required for a time coupon.";
            Property(schema, "validTo").Description = "Required for a time coupon; must be after validFrom.";
        }
        else if (type == typeof(ValidateCoupon.Query) || type == typeof(RedeemCoupon.Command))
        {
            Code(Property(schema, "code"));
            ExternalId(Property(schema, "userId"));
            ExternalId(Property(schema, "orderId"), nullable: type == typeof(ValidateCoupon.Query));
            Money(Property(schema, "orderValue"));
        }
        else if (type == typeof(CouponResponse))
        {
            OneOf(Property(schema, "kind"), CouponText.Kinds);
            OneOf(Property(schema, "status"), CouponText.Statuses);
            OneOf(Property(schema, "discountType"), CouponText.DiscountTypes);
        }
        else if (type == typeof(ValidateCoupon.Response))
        {
            var reason = OneOf(Property(schema, "reason"), CouponReason.All.Skip(0).ToArray(), nullable: true);
            reason.Description = "Null when valid; else the first reason that applies, in this order.";
        }
        else if (context.ParameterDescription is { Name: "status" } status && status.Source == BindingSource.Query)
        {
            OneOf(schema, CouponText.Statuses, nullable: true);
        }
        else if (context.ParameterDescription is { Name: "kind" } kind && kind.Source == BindingSource.Query)
        {
            OneOf(schema, CouponText.Kinds, nullable: true);
        }

        return Task.CompletedTask;
    }

    private static void Code(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = AccessCodeRules.CodeMinLength;
        schema.MaxLength = AccessCodeRules.CodeMaxLength;
        schema.Pattern = AccessCodeRules.PublishedCodePattern;
        schema.Description = "Letters, digits, '-' and '_'; matched case-insensitively, shown upper case.";
    }

    private static OpenApiSchema ExternalId(OpenApiSchema schema, bool nullable = false)
    {
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.MinLength = 1;
        schema.MaxLength = ExternalIds.MaxLength;
        schema.Pattern = ExternalIds.PublishedPattern;
        return schema;
    }

    private static OpenApiSchema Money(OpenApiSchema schema, bool positive = false, bool nullable = false)
    {
        schema.Type = nullable ? JsonSchemaType.Number | JsonSchemaType.Null : JsonSchemaType.Number;
        schema.Format = "decimal";
        if (positive)
        {
            schema.ExclusiveMinimum = "0";
        }
        else
        {
            schema.Minimum = "0";
        }

        schema.Maximum = MaxAmount;
        schema.MultipleOf = 0.01m;
        schema.Description = positive
            ? "An amount greater than 0, at most 2 decimal places."
            : "An amount from 0, at most 2 decimal places.";
        return schema;
    }

    private static void Limit(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Integer | JsonSchemaType.Null;
        schema.Minimum = "1";
        schema.Maximum = CouponRules.MaxLimit.ToString(CultureInfo.InvariantCulture);
    }

}
