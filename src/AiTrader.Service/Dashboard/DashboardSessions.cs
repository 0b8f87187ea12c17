using System.Security.Claims;
using System.Security.Cryptography;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AiTrader.Service.Dashboard;

/// <summary>The dashboard's sign-ins, held by the service in the platform database (<see cref="IDashboardSessionStore"/>):
/// the cookie carries only a random session token (protected by the service's data-protection keys, which are kept in the
/// data folder), the database only its SHA-256. Signing out ends the session for good (a copy of the old cookie is
/// refused too), and a restarted service keeps every browser signed in until its session expires.</summary>
internal sealed class DashboardSessions(IDashboardSessionStore store, TimeProvider time) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await store.StoreAsync(token, ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", TicketSerializer.Default.Serialize(ticket),
            ExpiresUtc(ticket));
        // Expired sessions go as new ones come: the table holds no more than the sessions of one lifetime.
        await store.RemoveExpiredAsync(time.GetUtcNow().UtcDateTime);
        return token;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await store.RenewAsync(key, TicketSerializer.Default.Serialize(ticket), ExpiresUtc(ticket));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var bytes = await store.RetrieveAsync(key, time.GetUtcNow().UtcDateTime);
        return bytes is null ? null : TicketSerializer.Default.Deserialize(bytes);
    }

    public async Task RemoveAsync(string key)
    {
        await store.RemoveAsync(key);
    }

    private DateTime ExpiresUtc(AuthenticationTicket ticket) =>
        (ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + DashboardAuthentication.SessionLifetime).UtcDateTime;
}
