#include "config.h"
#include "cutover.h"
