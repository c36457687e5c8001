using Capacity.Application.Clients;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Clients;

/// <summary>Clients and API keys: the store and the cached key checks.</summary>
internal static class ClientsSetup
{
    public static IServiceCollection AddClients(this IServiceCollection services)
    {
        services.AddSingleton<IClientStore, ClientStore>();
        services.AddSingleton<IClientKeyDirectory, FusionClientKeyDirectory>();
        services.AddSingleton<ApiKeyAuthenticator>();
        return services;
    }
}
