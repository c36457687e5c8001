using System.Globalization;
using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Capacity.WebApi.OpenApi;
using Microsoft.OpenApi;

using static Capacity.WebApi.OpenApi.SchemaEdits;

namespace Capacity.WebApi.Modules;

/// <summary>
/// The access-code feature's part of the OpenAPI document (found and registered by <c>CapacityOpenApi</c>, like
/// every feature's): shows the validators' rules (<see cref="AccessCodeRules"/>, the constants they use) as schema constraints,
/// and marks the fields a request must carry as non-null: the validators refuse null there with a 400.
/// </summary>
internal sealed class AccessCodesSchemaTransformer : IFeatureSchemaTransformer
{
    private static readonly string[] Types = ["bulk", "single"];

    /// <summary>
    /// ECMA-262: at least one character that is not white space, and no control character (the validator's
    /// <c>char.IsControl</c>: U+0000-U+001F and U+007F-U+009F).
    /// </summary>
    private const string ClientRefPattern = @"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

    private static readonly string ListedCode =
        $"{AccessCodeRules.CodeCharacters}{{{AccessCodeRules.CodeMinLength},{AccessCodeRules.CodeMaxLength}}}";

    /// <summary>1 to 500 codes separated by commas, each code as <see cref="AccessCodeRules"/> says.</summary>
    private static readonly string CodeListPattern = $"^{ListedCode}(,{ListedCode}){{0,{GetCodeUsageBatch.MaxCodes - 1}}}$";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CreateAccessCode.Command))
        {
            AccessCode(Property(schema, "code"));
            OneOf(Property(schema, "type"), Types);
            var seats = Property(schema, "maxUsageCount");
            seats.Minimum = "1";
            seats.Maximum = Invariant(AccessCodeRules.MaxBulkUsageCount);
            seats.Description = "Seats: 1-1,000,000 for bulk (required); 1 or omitted for single.";
            Property(schema, "expiresAt").Description = "Optional; must be in the future.";
        }
        else if (type == typeof(ClaimSeat.Command))
        {
            AccessCode(Property(schema, "code"));
            var clientRef = Property(schema, "clientRef");
            clientRef.MaxLength = AccessCodeRules.ClientRefMaxLength;
            clientRef.Pattern = ClientRefPattern;
            clientRef.Description =
                "Optional idempotency key (up to 128 characters, not blank, no control characters): " +
                "a retry with the same value gets its open session back.";
        }
        else if (type == typeof(CleanupIdleSessions.Command))
        {
            var idle = Property(schema, "idleMinutes");
            idle.Type = JsonSchemaType.Integer;
            idle.Minimum = "1";
            idle.Maximum = Invariant(CleanupIdleSessions.MaxIdleMinutes);
            idle.Description =
                $"Sessions without activity for longer than this many minutes are ended: 1 to {CleanupIdleSessions.MaxIdleMinutes} (7 days).";
        }
        else if (type == typeof(AccessCodeResponse))
        {
            OneOf(Property(schema, "type"), Types);
        }
        else if (context.ParameterDescription is { Name: "code" } path && path.Source == BindingSource.Path)
        {
            AccessCode(schema);
        }
        else if (context.ParameterDescription is { Name: "codes" } query && query.Source == BindingSource.Query)
        {
            schema.Type = JsonSchemaType.String;
            schema.MinLength = AccessCodeRules.CodeMinLength;
            schema.MaxLength = (GetCodeUsageBatch.MaxCodes * (AccessCodeRules.CodeMaxLength + 1)) - 1;
            schema.Pattern = CodeListPattern;
            schema.Description =
                $"1 to {GetCodeUsageBatch.MaxCodes} access codes separated by commas (codes=A,B,C), each " +
                $"{AccessCodeRules.CodeMinLength}-{AccessCodeRules.CodeMaxLength} characters of letters, digits, '-' and '_', " +
                "matched case-insensitively.";
        }

        return Task.CompletedTask;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AccessCode(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = AccessCodeRules.CodeMinLength;
        schema.MaxLength = AccessCodeRules.CodeMaxLength;
        schema.Pattern = AccessCodeRules.PublishedCodePattern;
        schema.Description = "Letters, digits, '-' and '_'; matched case-insensitively, shown upper case.";
    }

}
