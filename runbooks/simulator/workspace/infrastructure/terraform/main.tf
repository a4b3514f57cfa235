# Drill simulator workspace: the simulated terraform only checks that it runs where a configuration is.
variable "environment" {
  type = string
}

variable "use_spot_instances" {
  type    = bool
  default = false
}
