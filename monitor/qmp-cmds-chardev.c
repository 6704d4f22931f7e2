/* query-chardev: the character devices the command line made, and whether a peer is connected. */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/chardev.h"
#include "vmm/machine.h"

/* Appends one entry; false when out of memory. */
static bool add(ChardevInfoList ***tail, const struct chardev_spec *spec, bool used)
{
	ChardevInfo *i = ChardevInfoList_append(tail, NULL);
	char filename[512];

	if (!i)
		return false;
	chardev_filename(spec, filename, sizeof(filename));
	i->frontend_open = used;
	return (i->label = strdup(spec->label)) && (i->filename = strdup(filename));
}

ChardevInfoList *qmp_query_chardev(Error **errp)
{
	const struct vm_config *cfg = monitor_machine()->cfg;
	ChardevInfoList *head = NULL, **tail = &head;
	bool ok = true;
	int i;

	/* -serial none and the default -debugcon none make no chardev, as in QEMU */
	if (cfg->serial.kind != CHR_NONE || strcmp(cfg->serial.label, "serial0"))
		ok &= add(&tail, &cfg->serial, true);
	if (cfg->debugcon.kind != CHR_NONE || strcmp(cfg->debugcon.label, "debugcon"))
		ok &= add(&tail, &cfg->debugcon, true);
	for (i = 0; i < cfg->nr_qmp; i++)
		ok &= add(&tail, &cfg->qmp[i], true);
	for (i = 0; i < cfg->nr_monitor; i++)
		ok &= cfg->monitor[i].kind == CHR_STDIO || add(&tail, &cfg->monitor[i], true);
	for (i = 0; i < cfg->nr_unused; i++)
		ok &= add(&tail, &cfg->unused[i], false);
	if (!ok) {
		ChardevInfoList_free(head);
		error_setg(errp, "Out of memory");
		return NULL;
	}
	return head;
}
