/*
 * figure_tables.c — the figures there are: one table per module that
 * keeps some (figures.h). Adding a figure is a line in its module's table;
 * adding a module's table is a line here.
 */
#include "domain/core/figures.h"
#include "domain/people/stats.h"

const struct figure_def *const figure_tables[] = {stats_figures, NULL};
