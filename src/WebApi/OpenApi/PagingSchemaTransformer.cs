using System.Globalization;
using Capacity.Application.Common.Paging;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// The shared pagination's query parameters on every list route: <c>page</c> (≥ 1, default 1), <c>limit</c>
/// (1–100, default 20) and, for keyset lists, <c>after</c> (the previous page's <c>next</c>), with the limits of
/// <see cref="Paging"/> as schema constraints.
/// </summary>
internal sealed class PagingSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.ParameterDescription is not { Source: var source, Name: var name } || source != BindingSource.Query)
        {
            return Task.CompletedTask;
        }

        switch (name)
        {
            case "page":
                schema.Minimum = Invariant(Paging.DefaultPage);
                schema.Description = $"The page, from 1 (default {Paging.DefaultPage}). A page past the end is empty and says where the end is.";
                break;
            case "limit":
                schema.Minimum = Invariant(Paging.MinLimit);
                schema.Maximum = Invariant(Paging.MaxLimit);
                schema.Description = $"Items per page, {Paging.MinLimit}-{Paging.MaxLimit} (default {Paging.DefaultLimit}).";
                break;
            case "after":
                schema.Description = "The 'next' cursor of the previous page; omit it for the newest page.";
                schema.MinLength = KeysetCursorLength;
                schema.MaxLength = KeysetCursorLength;
                schema.Pattern = "^[A-Za-z0-9_-]+$";
                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>A cursor is 24 bytes in unpadded base64url.</summary>
    private const int KeysetCursorLength = 32;

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
