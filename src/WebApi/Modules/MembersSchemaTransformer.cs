using Capacity.Application.Members;
using Capacity.Domain.Members;
using Capacity.WebApi.OpenApi;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

using static Capacity.WebApi.OpenApi.SchemaEdits;

namespace Capacity.WebApi.Modules;

/// <summary>The member feature's part of the OpenAPI document: the validators' limits and patterns, the statuses.</summary>
internal sealed class MembersSchemaTransformer : IFeatureSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CreateMember.Command))
        {
            IdNumber(Property(schema, "idNumber"));
            Name(Property(schema, "firstName"));
            Name(Property(schema, "surname"));
            AreaCode(Property(schema, "provinceCode"));
            AreaCode(Property(schema, "municipalityCode"));
            AreaCode(Property(schema, "wardCode"));
            OneOf(Property(schema, "status"), MemberRules.Statuses, nullable: true).Description = "Default active.";
            Instant(Property(schema, "expiresAt")).Description = "After joinedAt (now when joinedAt is omitted).";
            Property(schema, "joinedAt").Description = "Default now.";
        }
        else if (type == typeof(UpdateMember.Command))
        {
            Name(Property(schema, "firstName"));
            Name(Property(schema, "surname"));
            OneOf(Property(schema, "status"), MemberRules.Statuses);
            Instant(Property(schema, "expiresAt")).Description = "After the member joined (else 422 member-expiry-before-joining).";
        }
        else if (type == typeof(GenerateCards.Query))
        {
            var ids = Property(schema, "memberIds");
            ids.Type = JsonSchemaType.Array;
            ids.MinItems = 1;
            ids.MaxItems = GenerateCards.MaxMembers;
            ids.Description = "1 to at most 100 member ids; a repeated id is answered once.";
            var concurrency = Property(schema, "concurrency");
            concurrency.Minimum = "1";
            concurrency.Maximum = GenerateCards.MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
            concurrency.Description = "How many cards are built at once; default 5.";
        }
        else if (type == typeof(GenerateCards.Failure))
        {
            Property(schema, "reason").Description = "member-not-found, or unavailable (the database could not be read: retry).";
        }
        else if (type == typeof(MemberResponse))
        {
            OneOf(Property(schema, "status"), MemberRules.Statuses);
            var number = Property(schema, "membershipNumber");
            number.Pattern = MembershipNumbers.PublishedPattern;
            number.Description = "M, the member's 8-digit sequence number and a Luhn check digit; assigned once, never changed.";
        }
        else if (context.ParameterDescription is { Name: "idNumber" } idNumber && idNumber.Source == BindingSource.Path)
        {
            IdNumber(schema);
        }

        return Task.CompletedTask;
    }

    private static void IdNumber(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = MemberRules.IdNumberMinLength;
        schema.MaxLength = MemberRules.IdNumberMaxLength;
        schema.Pattern = MemberRules.PublishedIdNumberPattern;
        schema.Description = "The national id number: letters and digits, matched case-insensitively, shown upper case. Personal data.";
    }

    private static void Name(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = 1;
        schema.MaxLength = MemberRules.NameMaxLength;
        schema.Pattern = MemberRules.PublishedNamePattern;
    }

    private static OpenApiSchema Instant(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.Format = "date-time";
        return schema;
    }

    private static void AreaCode(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = 1;
        schema.MaxLength = MemberRules.AreaCodeMaxLength;
        schema.Pattern = MemberRules.PublishedAreaCodePattern;
    }

}
