from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.sdk.serve import main_for

main_for(RubyDriver())
