package localserver

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// authorize runs Config.Authorizer, when there is one, on a request to a protected route,
// as API Gateway runs a route's JWT authorizer before invoking the function: a refused
// token is answered here, as API Gateway answers it (status, body, www-authenticate and
// apigw-requestid headers), and the handler never runs; an accepted one puts its claims in
// the event's requestContext.authorizer. It returns the status written, or 0 when the
// request goes on to the handler.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, ev *events.APIGatewayV2HTTPRequest) int {
	a := s.cfg.Authorizer
	if a == nil {
		return 0
	}
	// The identity source is $request.header.Authorization (components/api); repeated
	// headers reach it joined with commas, as they reach the event's headers.
	authz, refusal := a.Authorize(r.Context(), ev.RouteKey, strings.Join(r.Header.Values("Authorization"), ","))
	if refusal == nil {
		ev.RequestContext.Authorizer = authz
		return 0
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "token refused", slog.String("route", ev.RouteKey),
		slog.Int("status", refusal.Status), slog.String("reason", refusal.Reason))
	h := w.Header()
	h["Apigw-Requestid"] = []string{ev.RequestContext.RequestID}
	if refusal.WWWAuthenticate != "" {
		h["Www-Authenticate"] = []string{refusal.WWWAuthenticate}
	}
	return writeGateway(w, refusal.Status, refusal.Body)
}
