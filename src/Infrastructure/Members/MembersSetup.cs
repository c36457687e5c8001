using Capacity.Application.Members;
using Capacity.Application.Common.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Members;

/// <summary>Members: their store, the card signer and QR renderer, the card cache port (lookups are cached by the pipeline's caching behavior).</summary>
internal static class MembersSetup
{
    public static IServiceCollection AddMembers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IMemberStore, MemberStore>();
        services.AddSectionOptions<CardOptions>(configuration)
            .Validate(o => o.SigningKeys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal).Count() == o.SigningKeys.Count, "Cards:SigningKeys: key ids must be unique.");
        services.AddSingleton<ICardSigner, EcdsaCardSigner>();
        services.AddSingleton<IMemberLookupCache, FusionMemberLookupCache>();
        services.AddSingleton<CardIssuer>();
        services.AddSingleton<IMemberCardCache, FusionMemberCardCache>();
        services.AddSingleton<IQrRenderer, QrCoderRenderer>();
        services.AddHostedService<CardSignerCheck>();
        return services;
    }
}
