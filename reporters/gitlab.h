/* SPDX-License-Identifier: MIT */
/* GitLab CI job log sections: collapsible blocks delimited by
 * "\e[0Ksection_start:TIME:NAME[collapsed=true]\r\e[0KHEADER" and
 * "\e[0Ksection_end:TIME:NAME\r\e[0K" lines. Text from a guest reaches the
 * log only in visible form (text.h: ESC and CR escaped), so it cannot
 * open or close a section. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* A section name made of [A-Za-z0-9_.-] only (others become '_'). */
char *kr_gitlab_section_name(const char *s);

void kr_gitlab_section_start(FILE *f, const char *name, const char *header, bool collapsed,
			     time_t now);
void kr_gitlab_section_end(FILE *f, const char *name, time_t now);
