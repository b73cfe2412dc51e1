from driver_runtime.drivers.php.driver import PhpDriver
from driver_runtime.sdk.serve import main_for

main_for(PhpDriver())
