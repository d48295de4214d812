"""Read an MSPDI file with MPXJ and schedule it with MPXJ's MicrosoftScheduler
(the peer Tandem is compared with). Usage: mpxj_schedule.py FILE"""
import os
import sys

import jpype
import jpype.imports  # noqa: F401  (lets Java packages be imported)
import mpxj  # noqa: F401  (puts MPXJ on the class path)

if not jpype.isJVMStarted():
    # A million tasks need about 10 GB of heap, more than the JVM's default
    # quarter of memory on small machines.
    jpype.startJVM(f"-Xmx{os.environ.get('MPXJ_HEAP', '16g')}")

from java.time import LocalDateTime  # noqa: E402
from org.mpxj.cpm import MicrosoftScheduler  # noqa: E402
from org.mpxj.reader import UniversalProjectReader  # noqa: E402

project = UniversalProjectReader().read(sys.argv[1])
MicrosoftScheduler().schedule(project, LocalDateTime.of(2025, 1, 6, 8, 0))
print(project.getProjectProperties().getFinishDate() if project.getProjectProperties() else "")
jpype.shutdownJVM()
