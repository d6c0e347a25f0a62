/*
 * wallstate_priv.h - what wallstate.c shares with callup.c (the call-up part
 * of the wall state) and nobody else.
 */
#ifndef TESSERA_WALLSTATE_PRIV_H
#define TESSERA_WALLSTATE_PRIV_H

#include "wallstate/wallstate.h"

/* Whether output o exists and has a tile t. */
bool ws__valid_tile(const struct wall_state *ws, int o, int t);

/* The pin of tile t of output o, or NULL. */
const struct ws_pin *ws__find_pin(const struct wall_state *ws, int o, int t);

/* WS_CMD_CALLUP: adds or updates cmd->incident's call-up. */
int ws__callup(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed);

/* WS_CMD_RELEASE: removes cmd->incident's call-up (-ENOENT: none). */
int ws__release(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed);

/* Releases the call-ups whose hold ran out by now. */
void ws__callups_expire(struct wall_state *ws, int64_t now, unsigned *changed);

/* The earliest hold that runs out, or 0. */
int64_t ws__callups_next(const struct wall_state *ws);

/* Call-up cameras follow their feed (by id) into layout to; the call-ups
 * left without cameras are dropped. */
void ws__callups_remap(struct wall_state *ws, const struct layout *to);

/* Gives the call-up slots of the view shown (unpinned, by slot number, then
 * output) to the call-ups' cameras in rank order; sets each tile's
 * callup_feed and each call-up's n_slots. */
void ws__callups_assign(struct wall_state *ws);

/* Frees the call-ups. */
void ws__callups_free(struct wall_state *ws);

#endif
