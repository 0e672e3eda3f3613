package dev.odim.server.internal.web;

import java.time.Instant;
import java.util.UUID;

/**
 * The user behind a request, as its session proves.
 *
 * @param userId the user
 * @param role what the user may do
 * @param sessionId the session, so that logout and password change can end exactly this one
 * @param expiresAt when the session ends unless used again (the earlier of idle and absolute end)
 */
public record Principal(UUID userId, Role role, UUID sessionId, Instant expiresAt) {}
