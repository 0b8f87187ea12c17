using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AiTrader.Service;

/// <summary>Errors as RFC 7807 problem documents (<c>application/problem+json</c>): a title, the status, a detail that
/// says what to do, and the request field at fault when there is one.</summary>
public static class Problems
{
    public static ProblemDetails Create(int status, string title, string detail, string? field = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    public static IResult Result(int status, string title, string detail, string? field = null) =>
        Results.Problem(Create(status, title, detail, field));

    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? field = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Create(status, title, detail, field), (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }
}
